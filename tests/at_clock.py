"""Run a command as if it were another moment: `python -m tests.at_clock TIME -- COMMAND ...`.

`make test TEST_CLOCK='2027-03-28 00:40:00'` runs the suite through this. TIME
is in UTC. Every process of the command (pytest and its workers, the `flask`
commands the tests start, a PostgreSQL cluster of the run's own, Chromium,
Node) preloads libfaketime with one offset from the real clock, so they share
one clock that starts at TIME and runs on.

The library is the one python-libfaketime builds and vetted settings with it
(monotonic clocks stay real, so timeouts measure real seconds). Debian
bookworm's faketime 0.9.10 cannot run this suite: with its faked monotonic
clock `threading.Event().wait(0.2)` never returns (the run hangs), and with
monotonic left real `time.sleep()` fails with EINVAL, in Python and in every
`subprocess.wait(timeout=...)`.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import libfaketime

USAGE = "usage: python -m tests.at_clock 'YYYY-MM-DD HH:MM:SS' -- COMMAND [ARG ...]"


def faked_environment(moment: datetime, *, now: datetime) -> dict[str, str]:
    """Return the environment that moves a process tree's clock to `moment`."""
    _, preload = libfaketime.get_reload_information()
    # Whole seconds from the real clock's last whole second: the faked clock
    # starts within the second after `moment`, never before it.
    offset = int(moment.timestamp()) - int(now.timestamp())
    env = {**os.environ, **preload, "FAKETIME": f"{offset:+d}"}
    # The run starts a PostgreSQL cluster of its own, under the same clock; one
    # started earlier (CI's) keeps the real clock.
    env.pop("TEST_DATABASE_URL", None)
    return env


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(USAGE, file=sys.stderr)  # noqa: T201 -- a command-line tool
        return 2
    try:
        moment = datetime.fromisoformat(argv[0]).replace(tzinfo=UTC)
    except ValueError:
        print(f"TEST_CLOCK {argv[0]!r} is not a time; {USAGE}", file=sys.stderr)  # noqa: T201
        return 2
    print(f"at_clock: the clock starts at {moment:%Y-%m-%d %H:%M:%S} UTC")  # noqa: T201
    sys.stdout.flush()
    env = faked_environment(moment, now=datetime.now(UTC))
    os.execvpe(argv[2], argv[2:], env)  # noqa: S606 -- runs the command it is given
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
