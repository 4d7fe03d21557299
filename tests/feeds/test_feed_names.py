"""Each filtered feed is named for what it holds: X-WR-CALNAME and NAME, short and one line."""

from __future__ import annotations

import icalendar
import pytest

from app.auth.models import Role
from app.calendar.services import CalendarFilters, EntryKind
from app.core.db import db
from app.core.visibility import Audience
from app.directory.models import Initiative, Theme
from app.feeds.names import MAX_NAME_LENGTH, feed_name
from app.feeds.tokens import create_feed_token
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


def _initiative(title: str, slug: str) -> Initiative:
    initiative = Initiative(slug=slug, title=title, programme_period="2011-2012")
    db.session.add(initiative)
    db.session.flush()
    return initiative


def _theme(slug: str, nb: str, en: str) -> Theme:
    theme = Theme(slug=slug, name_nb=nb, name_en=en)
    db.session.add(theme)
    db.session.flush()
    return theme


def _names(feed: bytes) -> tuple[str, str]:
    calendar = icalendar.Calendar.from_ical(feed)
    return str(calendar["X-WR-CALNAME"]), str(calendar["NAME"])


@pytest.mark.parametrize(
    ("audience", "language", "expected"),
    [
        (Audience.public, "nb", "Vertskap – offentlig kalender"),
        (Audience.public, "en", "Vertskap – public calendar"),
        (Audience.forum, "nb", "Vertskap – Internasjonalt forum"),
        (Audience.forum, "en", "Vertskap – International Forum"),
        (Audience.staff, "nb", "Vertskap – intern kalender"),
        (Audience.staff, "en", "Vertskap – internal calendar"),
    ],
)
def test_an_unfiltered_feed_keeps_its_audiences_name(app, audience, language, expected):
    assert feed_name(audience, CalendarFilters(), language=language) == expected


def test_a_forum_feed_of_one_initiative_is_named_for_it(app):
    india = _initiative("India 2011", "india-2011")

    names = [
        feed_name(
            Audience.forum,
            CalendarFilters(initiative_ids=frozenset({india.id})),
            language=language,
        )
        for language in ("nb", "en")
    ]

    assert names == [
        "Internasjonalt forum – India 2011",
        "International Forum – India 2011",
    ]


def test_themes_are_named_in_the_feeds_language_in_alphabetical_order(app):
    themes = frozenset(
        {
            _theme("energy", "Energi", "Energy").id,
            _theme("climate", "Klima", "Climate").id,
        }
    )

    names = [
        feed_name(Audience.forum, CalendarFilters(theme_ids=themes), language=language)
        for language in ("en", "nb")
    ]

    assert names == [
        "International Forum – Climate, Energy",
        "Internasjonalt forum – Energi, Klima",
    ]


def test_every_filter_is_named_in_a_fixed_order(app, create_organisation):
    india = _initiative("India 2011", "india-2011")
    ntnu = create_organisation("NTNU")
    sintef = create_organisation("SINTEF")
    energy = _theme("energy", "Energi", "Energy")
    filters = CalendarFilters(
        initiative_ids=frozenset({india.id}),
        organisation_ids=frozenset({sintef.id, ntnu.id}),
        theme_ids=frozenset({energy.id}),
        kinds=frozenset({EntryKind.visit}),
    )

    assert feed_name(Audience.staff, filters, language="en") == (
        "Vertskap internal – India 2011 · Energy · NTNU, SINTEF · Delegation visits"
    )
    assert feed_name(Audience.public, filters, language="nb") == (
        "Vertskap – India 2011 · Energi · NTNU, SINTEF · Delegasjonsbesøk"
    )


def test_many_values_are_counted_rather_than_listed(app, create_organisation):
    organisations = frozenset(
        create_organisation(short_name).id
        for short_name in ("NTNU", "SINTEF", "TK", "NiT", "STFK")
    )

    name = feed_name(
        Audience.forum,
        CalendarFilters(organisation_ids=organisations),
        language="en",
    )

    assert name == "International Forum – NTNU, NiT +3"


def test_three_values_are_all_named(app):
    kinds = frozenset(EntryKind)

    name = feed_name(Audience.forum, CalendarFilters(kinds=kinds), language="en")

    assert name == "International Forum – Events, Visit programmes, Delegation visits"


def test_long_titles_are_cut_and_the_name_stays_short(app):
    long_one = _initiative(
        "Oppfølging av Kina-satsingen etter besøket fra Xi'an og Shanghai", "kina"
    )
    long_two = _initiative(
        "Nordisk plattform for internasjonalt samarbeid mellom byene", "nordisk"
    )
    climate = _theme(
        "climate", "Klima", "Climate adaptation and resilience in coastal cities"
    )

    name = feed_name(
        Audience.forum,
        CalendarFilters(
            initiative_ids=frozenset({long_one.id, long_two.id}),
            theme_ids=frozenset({climate.id}),
        ),
        language="en",
    )

    # Each title is cut at a word, then the name drops what does not fit.
    assert name == (
        "International Forum – Nordisk plattform for…, Oppfølging av Kina-satsingen …"
    )
    assert len(name) <= MAX_NAME_LENGTH


def test_control_characters_never_reach_the_name(app):
    sneaky = _initiative("India\r\nX-INJECTED:1\x7f 2011\x1b", "india")

    name = feed_name(
        Audience.forum,
        CalendarFilters(initiative_ids=frozenset({sneaky.id})),
        language="en",
    )

    assert name == "International Forum – India X-INJECTED:1 2011"


def test_free_text_of_a_hand_made_link_is_named_in_quotes(app):
    names = [
        feed_name(Audience.forum, CalendarFilters(q="wind power"), language=language)
        for language in ("en", "nb")
    ]

    assert names == [
        "International Forum – “wind power”",
        "Internasjonalt forum – «wind power»",
    ]


def test_the_public_feed_carries_its_name_in_both_properties(client):
    _theme("energy", "Energi", "Energy")
    db.session.commit()

    english = client.get("/feeds/public.ics?theme=energy&lang=en")
    norwegian = client.get("/feeds/public.ics?theme=energy&lang=nb")

    assert _names(english.get_data()) == ("Vertskap – Energy", "Vertskap – Energy")
    assert _names(norwegian.get_data()) == ("Vertskap – Energi", "Vertskap – Energi")


def test_a_private_feed_is_named_in_its_owners_language_and_audience(
    client, create_user
):
    india = _initiative("India 2011", "india-2011")
    mayor = create_user(role=Role.mayors_office, locale="en")
    member = create_user(locale="nb")
    _token, staff_raw = create_feed_token(mayor, label="Office", now=NOW)
    _token, member_raw = create_feed_token(member, label="Telefon", now=NOW)
    db.session.commit()

    staff_feed = client.get(f"/feeds/{staff_raw}.ics?initiative={india.id}")
    member_feed = client.get(
        f"/feeds/{member_raw}.ics?initiative=india-2011&kind=event"
    )

    assert _names(staff_feed.get_data())[0] == "Vertskap internal – India 2011"
    assert _names(member_feed.get_data())[1] == (
        "Internasjonalt forum – India 2011 · Arrangementer"
    )


def test_renaming_a_theme_renames_the_feed(client):
    theme = _theme("energy", "Energi", "Energy")
    db.session.commit()
    before = client.get("/feeds/public.ics?theme=energy&lang=en")

    theme.name_en = "Renewable energy"
    db.session.commit()
    after = client.get("/feeds/public.ics?theme=energy&lang=en")

    assert _names(before.get_data())[0] == "Vertskap – Energy"
    assert _names(after.get_data())[0] == "Vertskap – Renewable energy"
