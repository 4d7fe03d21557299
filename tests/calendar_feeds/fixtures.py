"""Feed items with the cases calendar clients get wrong, as plain `FeedItem`s.

Usable by any test: `TRICKY_ITEMS` holds them all, and the module-level names
say what each one is for. Times are aware UTC instants computed from local
wall times, as the app stores them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from calendar_feeds import FeedItem, build_calendar

OSLO = ZoneInfo("Europe/Oslo")
KOLKATA = ZoneInfo("Asia/Kolkata")
CHANGED = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
PRODID = "-//Vertskap//Tricky fixture//EN"
NAME = "Vertskap – forum"
#: Expansions in the tests stop here.
HORIZON = date(2027, 12, 31)


def local(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    *,
    zone: ZoneInfo = OSLO,
) -> datetime:
    """Return the UTC instant of a local wall time (the first pass in a fold)."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


#: Every Tuesday 09:00 in Oslo from 17 March to 10 November 2026, across both
#: 2026 changes (29 March and 25 October), without the meeting of 31 March.
WEEKLY = FeedItem(
    uid="tricky-weekly@vertskap.test",
    title="Arbeidsgruppe India: ukemøte",
    start_dt=local(2026, 3, 17, 9),
    end_dt=local(2026, 3, 17, 10),
    last_modified=CHANGED,
    timezone="Europe/Oslo",
    location="NTNU Gløshaugen, Hovedbygningen",
    rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20261110T235959",
    # Exception dates are naive local wall times.
    exdates=(datetime(2026, 3, 31, 9, 0, tzinfo=UTC).replace(tzinfo=None),),
)
WEEKLY_EXDATE = date(2026, 3, 31)
#: The local dates of the weekly meetings, 09:00 each.
WEEKLY_DATES = tuple(
    day
    for day in (date(2026, 3, 17) + timedelta(weeks=n) for n in range(35))
    if day != WEEKLY_EXDATE
)

#: Three whole days, 16 to 18 May 2026 (DTEND is the day after, 19 May).
ALL_DAY = FeedItem(
    uid="tricky-all-day@vertskap.test",
    title="Nasjonaldagsfeiring med vennskapsbyene",
    start_dt=local(2026, 5, 16),
    end_dt=local(2026, 5, 19),
    last_modified=CHANGED,
    is_all_day=True,
    timezone="Europe/Oslo",
    status="TENTATIVE",
)

CANCELLED = FeedItem(
    uid="tricky-cancelled@vertskap.test",
    title="Mottak for delegasjonen fra Hamburg",
    start_dt=local(2026, 6, 10, 14),
    end_dt=local(2026, 6, 10, 16),
    last_modified=CHANGED,
    sequence=2,
    timezone="Europe/Oslo",
    status="CANCELLED",
)

NORWEGIAN_TITLE = (
    "Årsmøte i Internasjonalt forum: særøkonomi, grønn næringsutvikling og "
    "sjømatsamarbeid på Ørland – blåbærsyltetøy på kjøkkenbenken"
)
NORWEGIAN_LOCATION = (
    "Rådhuset, Munkegata 1, 7013 Trondheim; Bystyresalen i første etasje, "
    "inngang fra Kongens gate (følg skiltene)"
)
NORWEGIAN_DESCRIPTION = (
    "Velkommen til årsmøtet! Vi går gjennom årsberetningen, regnskapet og "
    "handlingsprogrammet for neste år, og lærer mer om vennskapsbyene.\n"
    "Påmelding: send e-post til ordførerens kontor; frist fredag.\n"
    "Sakliste, punkt 1\\2: ÆØÅ æøå, «sitater» og semikolon; komma, skråstrek \\."
)
NORWEGIAN = FeedItem(
    uid="tricky-norwegian@vertskap.test",
    title=NORWEGIAN_TITLE,
    start_dt=local(2026, 9, 3, 10),
    end_dt=local(2026, 9, 3, 12),
    last_modified=CHANGED,
    timezone="Europe/Oslo",
    location=NORWEGIAN_LOCATION,
    description=NORWEGIAN_DESCRIPTION,
    categories=("Næringsliv", "Utdanning og forskning", "Kultur, idrett og fritid"),
)

_EMOJI_TEXT = (
    "Velkommen 👋🏽 til Trondheim! 🇳🇴 Møt delegasjonen 🤝, smak på sjømat 🐟🦐 "
    "og se Nidarosdomen ⛪. Utviklere 👩‍💻 og forskere 🧑‍🔬 er invitert.\n"
)
#: Exactly 5,000 characters (code points), emoji and line breaks included.
LONG_DESCRIPTION = (_EMOJI_TEXT * (5000 // len(_EMOJI_TEXT) + 1))[:5000]
LONG_EMOJI = FeedItem(
    uid="tricky-emoji@vertskap.test",
    title="Sjømatkveld 🐟 med delegasjonen",
    start_dt=local(2026, 8, 20, 18),
    end_dt=local(2026, 8, 20, 21, 30),
    last_modified=CHANGED,
    timezone="Europe/Oslo",
    description=LONG_DESCRIPTION,
)

#: An outgoing visit to Mumbai, 10:00 to 17:00 local time (UTC+05:30).
KOLKATA_VISIT = FeedItem(
    uid="tricky-kolkata@vertskap.test",
    title="Utgående besøk: næringslivsdelegasjon til Mumbai",
    start_dt=local(2026, 11, 16, 10, zone=KOLKATA),
    end_dt=local(2026, 11, 16, 17, zone=KOLKATA),
    last_modified=CHANGED,
    timezone="Asia/Kolkata",
    location="Bombay Chamber of Commerce, Mumbai",
)

#: Edited three times; links to its page.
UPDATED = FeedItem(
    uid="tricky-updated@vertskap.test",
    title="Nordisk plattform: styremøte",
    start_dt=local(2026, 4, 15, 13),
    end_dt=local(2026, 4, 15, 15),
    last_modified=datetime(2026, 4, 1, 8, 30, tzinfo=UTC),
    created=datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
    sequence=3,
    timezone="Europe/Oslo",
    url="https://vertskap.test/events/7?lang=nb&ref=feed",
    categories=("Nordisk samarbeid",),
)

#: The second 02:30 of 25 October 2026 in Oslo (after the clocks go back): icalendar
#: would write it an hour early with a TZID, so it is written in UTC.
AUTUMN_FOLD = FeedItem(
    uid="tricky-fold@vertskap.test",
    title="Nattlig overføring til Mumbai",
    start_dt=datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    end_dt=datetime(2026, 10, 25, 2, 30, tzinfo=UTC),
    last_modified=CHANGED,
    timezone="Europe/Oslo",
)

#: 03:30 on 29 March 2026, in the first hour of summer time (01:30 UTC): a
#: VTIMEZONE that puts the change at 03:00 instead of 02:00 shifts it an hour.
SPRING_EARLY = FeedItem(
    uid="tricky-spring@vertskap.test",
    title="Tidlig avreise til Hamburg",
    start_dt=local(2026, 3, 29, 3, 30),
    end_dt=local(2026, 3, 29, 4, 30),
    last_modified=CHANGED,
    timezone="Europe/Oslo",
)

#: The first Monday of every month at 12:00 in Oslo, from January 2026, without
#: an end: its VTIMEZONE gives the yearly rules of Oslo as RRULEs.
MONTHLY_ENDLESS = FeedItem(
    uid="tricky-monthly@vertskap.test",
    title="Forumets månedsmøte",
    start_dt=local(2026, 1, 5, 12),
    end_dt=local(2026, 1, 5, 13),
    last_modified=CHANGED,
    sequence=1,
    timezone="Europe/Oslo",
    rrule="FREQ=MONTHLY;BYDAY=1MO",
)

TRICKY_ITEMS: tuple[FeedItem, ...] = (
    WEEKLY,
    ALL_DAY,
    CANCELLED,
    NORWEGIAN,
    LONG_EMOJI,
    KOLKATA_VISIT,
    UPDATED,
    AUTUMN_FOLD,
    SPRING_EARLY,
    MONTHLY_ENDLESS,
)


def tricky_calendar(*, refresh: timedelta | None = timedelta(hours=1)) -> bytes:
    """Return the feed of every tricky item."""
    return build_calendar(TRICKY_ITEMS, name=NAME, prodid=PRODID, refresh=refresh)
