"""`bench/feeds.py` says what to install when nginx or wrk is missing, before any work."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "feeds.py"


def _run_with_path(path: Path) -> subprocess.CompletedProcess[str]:
    """Run the benchmark on one item with only `path` to look for programs in."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--items", "1"],
        cwd=ROOT,
        env={**os.environ, "PATH": str(path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _program(folder: Path, name: str) -> None:
    program = folder / name
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)


def test_feeds_bench_names_both_packages_when_nginx_and_wrk_are_missing(
    tmp_path: Path,
) -> None:
    result = _run_with_path(tmp_path)

    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "bench/feeds.py: nginx and wrk are missing. Install Debian's packages "
        "with 'sudo apt-get install nginx-light wrk' (make bench installs them "
        "when run as root).\n",
    )


def test_feeds_bench_names_the_one_missing_package(tmp_path: Path) -> None:
    _program(tmp_path, "nginx")

    result = _run_with_path(tmp_path)

    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "bench/feeds.py: wrk is missing. Install Debian's packages with "
        "'sudo apt-get install wrk' (make bench installs them when run as root).\n",
    )
