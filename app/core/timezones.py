"""Time zones: local wall time to UTC and back, refusing what DST makes ambiguous."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones


class LocalTimeError(ValueError):
    """A wall time that does not exist, or exists twice, in its zone."""

    def __init__(self, kind: str, local: datetime, zone: str) -> None:
        super().__init__(f"{local:%Y-%m-%d %H:%M} is {kind} in {zone}")
        #: "nonexistent" (skipped by the spring change) or "ambiguous" (the autumn one).
        self.kind = kind


@cache
def all_timezones() -> tuple[str, ...]:
    """Return every IANA zone name, sorted."""
    return tuple(sorted(available_timezones()))


def is_valid_timezone(name: str) -> bool:
    """Return whether `name` is an IANA zone this machine knows."""
    return name in all_timezones()


def local_to_utc(local: datetime, zone: str) -> datetime:
    """Return the UTC instant of a naive wall time in `zone`.

    zoneinfo silently accepts a time in the spring gap and picks one side of an
    autumn fold; we refuse both, so nothing is guessed (DESIGN.md section 5).
    An aware value is refused too: re-reading it in `zone` would move it silently.
    """
    if local.tzinfo is not None:
        raise ValueError(f"local_to_utc needs a naive wall time, got {local!r}")
    tz = ZoneInfo(zone)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Both folds differ: either the time was skipped or it happens twice.
        round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        kind = "nonexistent" if round_trip != local else "ambiguous"
        raise LocalTimeError(kind, local, zone)
    return first.astimezone(UTC)


def utc_to_local(instant: datetime, zone: str) -> datetime:
    """Return the aware local time of a UTC instant in `zone`."""
    return instant.astimezone(ZoneInfo(zone))
