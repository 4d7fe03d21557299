"""The subscribe page: public links, names, QR codes, help per app, filters and a member's own links."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import icalendar
import pytest
import sqlalchemy as sa
from flask import Flask

from app.core.db import db
from app.core.security import new_token
from app.directory.models import Initiative, Theme
from app.feeds.models import FeedToken
from app.feeds.qr import qr_svg
from app.feeds.tokens import create_feed_token, resolve_feed_token
from tests.fixtures.builders import NOW
from tests.fixtures.database import IsolatedClient
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration

BASE = "http://vertskap.test"
PUBLIC = BASE + "/feeds/public.ics"
GOOGLE = "https://calendar.google.com/calendar/r?cid="
OUTLOOK = "https://outlook.live.com/calendar/0/addfromweb?url="
OUTLOOK_WORK = "https://outlook.office.com/calendar/0/addfromweb?url="
PUBLIC_NAME = "Vertskap – public calendar"
_PRIVATE = re.compile(r"/feeds/([A-Za-z0-9_-]{43})\.ics")


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"DEFAULT_LOCALE": "en"}


@pytest.fixture
def client(app: Flask) -> IsolatedClient:
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def member(create_user):
    return create_user("mats@example.org", name="Mats Member", locale="en")


@pytest.fixture
def member_client(client, member, login):
    login(member)
    return client


class _Page(HTMLParser):
    """What a test needs of the page: link targets by class, field values by id, forms."""

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, list[str]] = {}
        self.anchors: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.ids: set[str] = set()
        self.forms: list[str] = []
        self.row_labels: list[str] = []
        self._in_label = False
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "a":
            for cls in a.get("class", "").split():
                self.links.setdefault(cls, []).append(a["href"])
            if a.get("id"):
                self.anchors[a["id"]] = a["href"]
        elif tag == "input" and a.get("id"):
            self.values[a["id"]] = a.get("value", "")
        elif tag == "form":
            self.forms.append(a.get("action", ""))
        elif tag == "th" and "feed-token__label" in a.get("class", ""):
            self._in_label = True
            self.row_labels.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._in_label = False

    def handle_data(self, data: str) -> None:
        if self._in_label:
            self.row_labels[-1] += data.strip()


def _read(response: Any, status: int = 200) -> tuple[_Page, str]:
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:2000]
    page = _Page()
    page.feed(html)
    return page, html


def _links(page: _Page, id: str) -> dict[str, str]:
    return {
        "url": page.values[f"feed-url-{id}"],
        "webcal": page.anchors[f"subscribe-{id}-webcal"],
        "google": page.anchors[f"subscribe-{id}-google"],
        "outlook": page.anchors[f"subscribe-{id}-outlook"],
        "outlook_work": page.anchors[f"subscribe-{id}-outlook-work"],
    }


def _feed_name(html: str, id: str) -> str:
    found = re.search(
        rf'<p class="feed-name" id="feed-name-{id}">[^<]*<strong>([^<]*)</strong>', html
    )
    assert found is not None, id
    return found.group(1)


def _tokens() -> list[tuple[str, bool]]:
    rows = db.session.scalars(sa.select(FeedToken).order_by(FeedToken.id))
    return [(t.label, t.revoked_dt is not None) for t in rows]


# ---- everyone ----------------------------------------------------------------


def test_subscribe_page_gives_anonymous_visitors_the_public_links(client):
    page, html = _read(client.get("/subscribe"))

    assert _links(page, "public") == {
        "url": PUBLIC + "?lang=en",
        "webcal": "webcal://vertskap.test/feeds/public.ics?lang=en",
        "google": GOOGLE
        + "webcal%3A%2F%2Fvertskap.test%2Ffeeds%2Fpublic.ics%3Flang%3Den",
        "outlook": OUTLOOK
        + "http%3A%2F%2Fvertskap.test%2Ffeeds%2Fpublic.ics%3Flang%3Den"
        + "&name=Vertskap%20%E2%80%93%20public%20calendar",
        "outlook_work": OUTLOOK_WORK
        + "http%3A%2F%2Fvertskap.test%2Ffeeds%2Fpublic.ics%3Flang%3Den"
        + "&name=Vertskap%20%E2%80%93%20public%20calendar",
    }
    assert _feed_name(html, "public") == PUBLIC_NAME
    assert "/subscribe#public-feed" in page.forms
    assert "/subscribe/tokens#new-feed" not in page.forms
    assert "Log in to get yours" in html
    assert "Subscribe or download?" in html


def test_subscribe_page_links_to_the_existing_public_feed(client):
    page, _html = _read(client.get("/subscribe"))

    response = client.get(urlsplit(page.values["feed-url-public"]).path)

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"


def test_subscribe_page_renders_in_norwegian(client):
    page, html = _read(client.get("/subscribe", headers={"Accept-Language": "nb"}))

    assert page.lang == "nb"
    assert page.values["feed-url-public"] == PUBLIC + "?lang=nb"
    assert _feed_name(html, "public") == "Vertskap – offentlig kalender"


def test_the_public_link_serves_a_feed_named_as_the_page_says(client):
    page, html = _read(client.get("/subscribe", headers={"Accept-Language": "nb"}))

    # A calendar app asking in English still gets the page's language.
    feed = client.get(
        urlsplit(page.values["feed-url-public"]).path
        + "?"
        + urlsplit(page.values["feed-url-public"]).query,
        headers={"Accept-Language": "en"},
    )

    calendar = icalendar.Calendar.from_ical(feed.get_data())
    assert str(calendar["X-WR-CALNAME"]) == _feed_name(html, "public")
    assert str(calendar["NAME"]) == "Vertskap – offentlig kalender"


def test_public_link_carries_a_qr_code_of_its_webcal_link(client):
    page, html = _read(client.get("/subscribe"))

    webcal = page.anchors["subscribe-public-webcal"]
    assert str(qr_svg(webcal)) in html
    assert (
        '<div class="feed-qr__code" id="feed-qr-public" role="img" '
        f'aria-label="QR code of the link {webcal}">'
    ) in html


@pytest.mark.parametrize(
    ("language", "google_note"),
    [
        ("en", "Google fetches subscribed calendars only every 12 to 24 hours"),
        ("nb", "Google henter abonnerte kalendere bare hver 12. til 24. time"),
    ],
)
def test_help_per_calendar_app_is_folded_and_needs_no_script(
    client, language, google_note
):
    page, html = _read(client.get("/subscribe", headers={"Accept-Language": language}))

    helps = re.findall(r'<details class="client-help" id="(help-[a-z-]+)">', html)
    assert helps == [
        "help-outlook-classic",
        "help-outlook-new",
        "help-outlook-web",
        "help-google",
        "help-iphone",
        "help-mac",
        "help-thunderbird",
    ]
    assert google_note in html
    assert page.lang == language


def test_subscribe_page_builds_filtered_links_from_the_query(client):
    theme = Theme(slug="energy", name_nb="Energi", name_en="Energy")
    db.session.add(theme)
    db.session.commit()

    # The theme by its slug: the links name it by its id.
    page, _html = _read(
        client.get("/subscribe?kind=visit&kind=event&theme=energy&q=free+text")
    )

    query = f"?theme={theme.id}&kind=event&kind=visit&lang=en"
    quoted = f"%3Ftheme%3D{theme.id}%26kind%3Devent%26kind%3Dvisit%26lang%3Den"
    name = (
        "&name=Vertskap%20%E2%80%93%20Energy%20%C2%B7%20Events%2C%20Delegation%20visits"
    )
    assert _links(page, "public") == {
        "url": PUBLIC + query,
        "webcal": "webcal://vertskap.test/feeds/public.ics" + query,
        "google": GOOGLE + "webcal%3A%2F%2Fvertskap.test%2Ffeeds%2Fpublic.ics" + quoted,
        "outlook": OUTLOOK
        + "http%3A%2F%2Fvertskap.test%2Ffeeds%2Fpublic.ics"
        + quoted
        + name,
        "outlook_work": OUTLOOK_WORK
        + "http%3A%2F%2Fvertskap.test%2Ffeeds%2Fpublic.ics"
        + quoted
        + name,
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "kind=bogus",
            "No kind of entry matches “kind=bogus”: use event, programme or visit.",
        ),
        (
            "initiative=abc",
            "No initiative matches “initiative=abc”: give its number or its short name.",
        ),
    ],
)
def test_subscribe_page_refuses_a_filter_that_names_nothing(client, query, message):
    _page, html = _read(
        client.get(f"/subscribe?kind=event&{query}", headers={"Accept-Language": "en"}),
        status=400,
    )

    assert f"<p>{message}</p>" in html
    assert "subscribe-link--webcal" not in html


def test_anonymous_visitors_cannot_create_links(client):
    response = client.post("/subscribe/tokens", data={"label": "Phone"})

    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"
    assert _tokens() == []


# ---- a member's own links ----------------------------------------------------


def test_member_creates_a_link_and_sees_it_again_after_reload(member_client, member):
    page, html = _read(member_client.post("/subscribe/tokens", data={"label": "Phone"}))
    response = member_client.get("/subscribe")
    again, html_again = _read(response)

    (raw,) = set(_PRIVATE.findall(html))
    (token_id,) = db.session.scalars(sa.select(FeedToken.id)).all()
    assert page.values["feed-url-new"] == f"{BASE}/feeds/{raw}.ics"
    assert _links(page, "new")["webcal"] == f"webcal://vertskap.test/feeds/{raw}.ics"
    assert resolve_feed_token(raw, now=NOW) is member
    assert "feed-url-new" not in again.values
    assert again.values[f"feed-url-token-{token_id}"] == f"{BASE}/feeds/{raw}.ics"
    assert _links(again, f"token-{token_id}")["outlook"] == (
        OUTLOOK
        + f"http%3A%2F%2Fvertskap.test%2Ffeeds%2F{raw}.ics"
        + "&name=Vertskap%20%E2%80%93%20International%20Forum"
    )
    assert _feed_name(html_again, f"token-{token_id}") == (
        "Vertskap – International Forum"
    )
    assert str(qr_svg(f"webcal://vertskap.test/feeds/{raw}.ics")) in html_again
    assert f'<details class="kept-link" id="kept-link-{token_id}">' in html_again
    assert response.headers["Cache-Control"] == "no-store"
    assert again.row_labels == ["Phone"]
    assert _tokens() == [("Phone", False)]


def test_another_member_never_sees_a_members_link(client, member, create_user, login):
    _token, raw = create_feed_token(member, label="Phone", now=NOW)
    other = create_user("kari@example.org", locale="en")
    db.session.commit()
    login(other)

    page, html = _read(client.get("/subscribe"))

    assert raw not in html
    assert page.row_labels == []
    assert "kept-link" not in html


def test_a_revoked_link_is_not_shown_again(member_client, member):
    token, raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()

    member_client.post(f"/subscribe/tokens/{token.id}/revoke", data={"confirm": "yes"})
    _page, html = _read(member_client.get("/subscribe"))

    assert raw not in html
    assert "kept-link-" not in html


def test_the_page_showing_a_new_link_is_not_stored(member_client):
    response = member_client.post("/subscribe/tokens", data={"label": "Phone"})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_member_links_are_named_by_the_filters_in_the_members_language(
    client, create_user, login
):
    member = create_user("ane@ntnu.no", locale="nb")
    india = Initiative(
        slug="india-2011", title="India 2011", programme_period="2011-2012"
    )
    db.session.add(india)
    _token, raw = create_feed_token(member, label="Telefon", now=NOW)
    db.session.commit()
    login(member)

    page, html = _read(client.get("/subscribe?initiative=india-2011"))
    (token_id,) = db.session.scalars(sa.select(FeedToken.id)).all()
    url = page.values[f"feed-url-token-{token_id}"]
    feed = client.get(urlsplit(url).path + "?" + urlsplit(url).query)

    assert url == f"{BASE}/feeds/{raw}.ics?initiative={india.id}"
    assert _feed_name(html, f"token-{token_id}") == "Internasjonalt forum – India 2011"
    assert _feed_name(html, "public") == "Vertskap – India 2011"
    calendar = icalendar.Calendar.from_ical(feed.get_data())
    assert (str(calendar["X-WR-CALNAME"]), str(calendar["NAME"])) == (
        "Internasjonalt forum – India 2011",
        "Internasjonalt forum – India 2011",
    )


def test_a_link_made_before_links_were_kept_offers_a_replacement(member_client, member):
    raw, digest = new_token()
    token = FeedToken(
        user_id=member.id, label="Old phone", token_hash=digest, created_dt=NOW
    )
    db.session.add(token)
    db.session.commit()

    page, html = _read(member_client.get("/subscribe"))

    assert raw not in html
    assert (
        "This link was made before the site kept links, so it cannot be shown again."
        in html
    )
    assert f"/subscribe/tokens/{token.id}/rotate" in page.forms
    assert "Replace “Old phone” with a new link" in html
    assert member_client.get(f"/feeds/{raw}.ics").status_code == 200


def test_after_the_secret_key_changed_the_page_offers_a_replacement(
    client, member, login, app, monkeypatch
):
    token, raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()
    monkeypatch.setitem(
        app.config, "SECRET_KEY", "a-new-secret-key-after-rotation-0123456789"
    )
    # A new key also ends every session: the member logs in again.
    member_client = client
    login(member)

    page, html = _read(member_client.get("/subscribe"))
    replaced, _replaced_html = _read(
        member_client.post(
            f"/subscribe/tokens/{token.id}/rotate", data={"confirm": "yes"}
        )
    )
    _again, again_html = _read(member_client.get("/subscribe"))

    assert (
        "This link can no longer be shown: the site's secret key has been changed"
        " since it was made." in html
    )
    assert f"/subscribe/tokens/{token.id}/rotate" in page.forms
    new_raw = _PRIVATE.search(replaced.values["feed-url-new"]).group(1)
    assert new_raw in again_html
    assert resolve_feed_token(new_raw, now=NOW) is member
    assert resolve_feed_token(raw, now=NOW) is None


def test_new_link_serves_the_members_private_feed(member_client):
    page, _html = _read(
        member_client.post("/subscribe/tokens", data={"label": "Phone"})
    )

    response = member_client.get(urlsplit(page.values["feed-url-new"]).path)

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"


def test_member_creates_a_filtered_link(member_client):
    page, _html = _read(
        member_client.post(
            "/subscribe/tokens",
            data={"label": "Events only", "kind": ["event"]},
        )
    )

    url = page.values["feed-url-new"]
    assert _PRIVATE.search(url) is not None
    assert url.endswith(".ics?kind=event")


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 101, "Use at most 100 characters."),
        (
            "phone",
            "You already have a personal link with this name. Choose another name.",
        ),
    ],
)
def test_bad_labels_are_refused_with_a_clear_message(
    member_client, member, label, message
):
    create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()

    page, html = _read(
        member_client.post("/subscribe/tokens", data={"label": label}), status=422
    )

    assert f'<p class="error" id="label-error">{message}</p>' in html
    assert "feed-url-new" not in page.values
    assert _tokens() == [("Phone", False)]


def test_member_at_the_cap_is_told_to_revoke_first(member_client, member):
    for n in range(10):
        create_feed_token(member, label=f"Device {n}", now=NOW)
    db.session.commit()

    page, html = _read(member_client.get("/subscribe"))
    _refused, refused_html = _read(
        member_client.post("/subscribe/tokens", data={"label": "Eleven"}), status=422
    )

    assert "/subscribe/tokens#new-feed" not in page.forms
    assert "You have 10 personal links, the most allowed." in html
    assert (
        '<p id="new-feed" class="feed-tokens-cap error" role="alert">'
        "You have 10 personal links, the most allowed." in refused_html
    )
    assert len(_tokens()) == 10


def test_revoke_asks_first_then_revokes(member_client, member):
    token, raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()
    path = f"/subscribe/tokens/{token.id}/revoke"

    _ask, ask_html = _read(member_client.post(path))
    asked = _tokens()
    done = member_client.post(path, data={"confirm": "yes"})
    _after, after_html = _read(member_client.get("/subscribe"))

    assert "Revoke the link “Phone”?" in ask_html
    assert asked == [("Phone", False)]
    assert (done.status_code, done.location) == (302, "/subscribe#personal-feeds")
    assert _tokens() == [("Phone", True)]
    assert resolve_feed_token(raw, now=NOW) is None
    assert (
        "The link “Phone” is revoked: calendars that use it get no more updates."
        in after_html
    )


def test_revoked_link_answers_404(member_client, member):
    token, raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()

    before = member_client.get(f"/feeds/{raw}.ics").status_code
    member_client.post(f"/subscribe/tokens/{token.id}/revoke", data={"confirm": "yes"})
    after = member_client.get(f"/feeds/{raw}.ics").status_code

    assert (before, after) == (200, 404)


def test_rotate_asks_first_then_shows_the_new_link_once(member_client, member):
    token, old_raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()
    path = f"/subscribe/tokens/{token.id}/rotate"

    _ask, ask_html = _read(member_client.post(path, data={"kind": "event"}))
    asked = _tokens()
    response = member_client.post(path, data={"confirm": "yes", "kind": "event"})
    page, _html = _read(response)

    new_raw = _PRIVATE.search(page.values["feed-url-new"]).group(1)
    assert "Replace the link “Phone”?" in ask_html
    assert 'name="kind" value="event"' in ask_html
    assert asked == [("Phone", False)]
    assert response.headers["Cache-Control"] == "no-store"
    assert page.values["feed-url-new"].endswith(".ics?kind=event")
    assert _tokens() == [("Phone", True), ("Phone", False)]
    assert resolve_feed_token(old_raw, now=NOW) is None
    assert resolve_feed_token(new_raw, now=NOW) is member


def test_acting_on_a_revoked_link_says_so(member_client, member):
    token, _raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()
    member_client.post(f"/subscribe/tokens/{token.id}/revoke", data={"confirm": "yes"})

    again = member_client.post(f"/subscribe/tokens/{token.id}/rotate")
    _page, html = _read(member_client.get("/subscribe"))

    assert again.status_code == 302
    assert "This link is already revoked." in html
    assert _tokens() == [("Phone", True)]


@pytest.mark.parametrize("action", ["revoke", "rotate"])
def test_another_members_link_cannot_be_touched(member_client, create_user, action):
    other = create_user("other@example.org")
    token, raw = create_feed_token(other, label="Theirs", now=NOW)
    db.session.commit()

    response = member_client.post(
        f"/subscribe/tokens/{token.id}/{action}", data={"confirm": "yes"}
    )

    assert response.status_code == 404
    assert _tokens() == [("Theirs", False)]
    assert resolve_feed_token(raw, now=NOW) is other


def test_page_lists_only_the_members_own_links(member_client, member, create_user):
    create_feed_token(create_user(), label="Theirs", now=NOW)
    create_feed_token(member, label="Mine", now=NOW)
    db.session.commit()

    page, _html = _read(member_client.get("/subscribe"))

    assert page.row_labels == ["Mine"]


# ---- CSRF --------------------------------------------------------------------


class TestWithCsrf:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {"DEFAULT_LOCALE": "en", "WTF_CSRF_ENABLED": True}

    @staticmethod
    def _csrf(client: Any) -> str:
        html = client.get("/subscribe").get_data(as_text=True)
        return re.findall(
            r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html
        )[-1]

    @pytest.fixture
    def member_client(self, client, member, sign_in_client):
        return sign_in_client(client, member)

    @pytest.fixture
    def sign_in_client(self):
        def _sign_in(client, user):
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
            return client

        return _sign_in

    def test_posts_without_a_csrf_token_are_refused(self, member_client, member):
        token, _raw = create_feed_token(member, label="Phone", now=NOW)
        db.session.commit()

        refused = [
            member_client.post(path, data=data).status_code
            for path, data in (
                ("/subscribe/tokens", {"label": "Laptop"}),
                (f"/subscribe/tokens/{token.id}/revoke", {"confirm": "yes"}),
                (f"/subscribe/tokens/{token.id}/rotate", {"confirm": "yes"}),
            )
        ]

        assert refused == [400, 400, 400]
        assert _tokens() == [("Phone", False)]

    def test_posts_with_the_pages_csrf_token_work(self, member_client, member):
        token, _raw = create_feed_token(member, label="Phone", now=NOW)
        db.session.commit()
        csrf = self._csrf(member_client)

        created = member_client.post(
            "/subscribe/tokens", data={"label": "Laptop", "csrf_token": csrf}
        )
        revoked = member_client.post(
            f"/subscribe/tokens/{token.id}/revoke",
            data={"confirm": "yes", "csrf_token": csrf},
        )

        assert (created.status_code, revoked.status_code) == (200, 302)
        assert _tokens() == [("Phone", True), ("Laptop", False)]


def test_a_new_link_never_reaches_the_log(member_client, caplog):
    caplog.set_level("DEBUG")

    _page, html = _read(
        member_client.post("/subscribe/tokens", data={"label": "Phone"})
    )
    (raw,) = set(_PRIVATE.findall(html))
    member_client.get(f"/feeds/{raw}.ics")

    assert raw not in caplog.text


def test_labels_are_shown_as_text(member_client):
    label = '<script>alert("x")</script>'

    _page, html = _read(member_client.post("/subscribe/tokens", data={"label": label}))

    assert label not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


# ---- queries -----------------------------------------------------------------


def _page_queries(client: Any) -> int:
    with count_statements() as statements:
        response = client.get("/subscribe?theme=energy&kind=event")
    assert response.status_code == 200
    return len(statements)


def test_the_page_runs_as_many_queries_for_three_links_as_for_one(
    member_client, member
):
    db.session.add(Theme(slug="energy", name_nb="Energi", name_en="Energy"))
    create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()
    one = _page_queries(member_client)

    for label in ("Laptop", "Tablet"):
        create_feed_token(member, label=label, now=NOW)
    db.session.commit()
    three = _page_queries(member_client)

    assert one == three
