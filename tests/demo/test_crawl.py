"""Every page reachable from the demo data answers without a server error, for every role.

A crawler follows the site's own links from the home page and the visit register,
as each demo user, so templates meet real data (many visits, items, tasks,
participants) rather than only the few rows a unit test builds.
"""

from __future__ import annotations

import re
from collections import deque

import pytest

pytestmark = pytest.mark.integration

LOG_INS = {
    "anonymous": None,
    "member": ("medlem@ntnu.example", "vertskap-medlem-demo"),
    "mayors_office": ("ordforer@vertskap.example", "vertskap-ordforer-demo"),
    "admin": ("admin@vertskap.example", "vertskap-admin-demo"),
}
LINK = re.compile(r'href="(/[^"#]*)"')
#: Pages a crawl must not follow: leaving the session, or files that are not pages.
SKIP = ("/logout", "/static/")
MAX_PAGES = 120


def _crawl(client, start: list[str]) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft().replace("&amp;", "&")
        if path in seen or path.startswith(SKIP):
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code == 200 and response.mimetype == "text/html":
            queue.extend(LINK.findall(response.get_data(as_text=True)))
    return seen


@pytest.mark.parametrize("role", list(LOG_INS))
def test_demo_site_has_no_server_error_for_any_role(app, client, demo_data, role):
    if LOG_INS[role]:
        email, password = LOG_INS[role]
        assert (
            client.post(
                "/login", data={"email": email, "password": password}
            ).status_code
            == 302
        )

    seen = _crawl(
        client,
        [
            "/",
            "/upcoming",
            "/visits/",
            "/planner/",
            "/admin/users",
            "/admin/outbox/",
            "/admin/checklists/",
        ],
    )

    errors = {path: code for path, code in seen.items() if code >= 500}
    assert errors == {}
    assert len(seen) >= (8 if role == "anonymous" else 40)
