import logging

import pytest

from app.core.logging import RedactSecretsFilter, redact

pytestmark = pytest.mark.unit

TOKEN = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg"


@pytest.mark.parametrize(
    "path",
    [f"/password/reset/{TOKEN}", f"/invitation/{TOKEN}", f"/feeds/{TOKEN}.ics"],
)
def test_redact_hides_secret_path_segments(path):
    line = f'127.0.0.1 - - "GET {path} HTTP/1.1" 200 -'

    assert TOKEN not in redact(line)
    assert "[redacted]" in redact(line)


def test_redact_leaves_ordinary_paths_alone():
    assert (
        redact('"GET /upcoming?page=2 HTTP/1.1" 200')
        == '"GET /upcoming?page=2 HTTP/1.1" 200'
    )


def test_filter_rewrites_a_werkzeug_style_record():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '"%s %s" %s',
        ("GET", f"/invitation/{TOKEN}", 200),
        None,
    )

    RedactSecretsFilter().filter(record)

    assert record.getMessage() == '"GET /invitation/[redacted]" 200'
