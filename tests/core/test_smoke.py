import pytest

from app.core.db import db

pytestmark = pytest.mark.integration


def test_home_page_renders_on_each_backend(client, backend):
    response = client.get("/")

    assert response.status_code == 200
    assert db.engine.dialect.name == backend
