"""A throwaway database for a benchmark: a temporary SQLite file or a scratch PostgreSQL database."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_database(server_url: str | None, bench: str) -> Iterator[str]:
    """Yield the URL of an empty database: a temporary SQLite file, or a new database on `server_url`."""
    if server_url is None:
        with tempfile.TemporaryDirectory(prefix=f"vertskap-bench-{bench}-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    import sqlalchemy as sa

    from app import database_url

    server = sa.make_url(database_url(server_url, ""))
    name = f"vertskap_bench_{bench}_{os.getpid()}"
    admin = sa.create_engine(
        server.set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
