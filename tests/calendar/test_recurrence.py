"""Expanding recurring events in local wall time: DST, exceptions, monthly rules, ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.calendar.recurrence import (
    MAX_OCCURRENCES,
    RecurrenceError,
    format_exdates,
    occurrences,
    parse_exdates,
    parse_rule,
    series_end,
)
from app.calendar.rule_choices import RuleFields, build_rule, describe_rule, rule_fields

pytestmark = pytest.mark.unit


def _wall(*parts: int) -> datetime:
    """Return a naive local wall time (how occurrences and exception dates are named)."""
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)


OSLO = ZoneInfo("Europe/Oslo")


def _oslo(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO).astimezone(UTC)


def _expand(
    rule: str,
    *,
    start: datetime,
    hours: float = 1,
    exdates: str = "",
    until: datetime | None = None,
    zone: str = "Europe/Oslo",
    since: datetime | None = None,
) -> list[datetime]:
    """Return the local start times of the occurrences in [since or start, until)."""
    found = occurrences(
        start_dt=start,
        end_dt=start + timedelta(hours=hours),
        timezone=zone,
        rule=rule,
        exdates=exdates,
        window_start=since or start,
        window_end=until or start + timedelta(days=60),
    )
    return [o.start_dt.astimezone(ZoneInfo(zone)) for o in found]


def test_weekly_meeting_stays_at_nine_across_the_october_dst_change() -> None:
    starts = _expand(
        "FREQ=WEEKLY;BYDAY=TU", start=_oslo(2026, 10, 13), until=_oslo(2026, 11, 4)
    )

    assert [(s.date(), s.time()) for s in starts] == [
        (date(2026, 10, 13), time(9)),
        (date(2026, 10, 20), time(9)),
        (date(2026, 10, 27), time(9)),
        (date(2026, 11, 3), time(9)),
    ]
    # Summer time ends on Sunday 25 October 2026: 07:00 UTC before, 08:00 after.
    assert [s.astimezone(UTC).time() for s in starts] == [
        time(7),
        time(7),
        time(8),
        time(8),
    ]


def test_weekly_meeting_stays_at_nine_across_the_march_dst_change() -> None:
    starts = _expand(
        "FREQ=WEEKLY;BYDAY=MO", start=_oslo(2027, 3, 22), until=_oslo(2027, 4, 1)
    )

    assert [(s.time(), s.astimezone(UTC).time()) for s in starts] == [
        (time(9), time(8)),
        (time(9), time(7)),
    ]


def test_each_occurrence_keeps_its_local_duration_across_dst() -> None:
    found = occurrences(
        start_dt=_oslo(2026, 10, 24, 22),
        end_dt=_oslo(2026, 10, 25, 6),
        timezone="Europe/Oslo",
        rule="FREQ=WEEKLY",
        exdates="",
        window_start=_oslo(2026, 10, 24, 0),
        window_end=_oslo(2026, 11, 2, 0),
    )

    # 22:00 to 06:00 is nine hours the night the clocks go back, eight otherwise.
    assert [o.end_dt - o.start_dt for o in found] == [
        timedelta(hours=9),
        timedelta(hours=8),
    ]


def test_exdates_remove_one_occurrence() -> None:
    starts = _expand(
        "FREQ=WEEKLY;BYDAY=TU",
        start=_oslo(2026, 10, 13),
        exdates="2026-10-20T09:00,2026-11-03T09:00",
        until=_oslo(2026, 11, 11),
    )

    assert [s.date() for s in starts] == [
        date(2026, 10, 13),
        date(2026, 10, 27),
        date(2026, 11, 10),
    ]


def test_exdates_round_trip_through_the_column_text() -> None:
    values = {_wall(2026, 12, 8, 9, 0), _wall(2026, 10, 27, 9, 0)}

    text = format_exdates(values)

    assert (text, parse_exdates(text)) == ("2026-10-27T09:00,2026-12-08T09:00", values)


def test_monthly_on_the_same_day_skips_months_without_it() -> None:
    starts = _expand(
        "FREQ=MONTHLY;BYMONTHDAY=31",
        start=_oslo(2027, 1, 31, 14),
        until=_oslo(2027, 6, 1),
    )

    assert [s.date() for s in starts] == [
        date(2027, 1, 31),
        date(2027, 3, 31),
        date(2027, 5, 31),
    ]


def test_monthly_on_the_second_tuesday() -> None:
    starts = _expand(
        "FREQ=MONTHLY;BYDAY=2TU", start=_oslo(2026, 12, 8, 14), until=_oslo(2027, 5, 1)
    )

    assert [(s.date(), s.time()) for s in starts] == [
        (date(2026, 12, 8), time(14)),
        (date(2027, 1, 12), time(14)),
        (date(2027, 2, 9), time(14)),
        (date(2027, 3, 9), time(14)),
        (date(2027, 4, 13), time(14)),
    ]


def test_monthly_on_the_last_friday_every_second_month() -> None:
    starts = _expand(
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR",
        start=_oslo(2026, 11, 27, 12),
        until=_oslo(2027, 6, 1),
    )

    assert [s.date() for s in starts] == [
        date(2026, 11, 27),
        date(2027, 1, 29),
        date(2027, 3, 26),
        date(2027, 5, 28),
    ]


def test_count_limits_the_series() -> None:
    starts = _expand(
        "FREQ=WEEKLY;COUNT=3", start=_oslo(2026, 10, 13), until=_oslo(2027, 1, 1)
    )

    assert [s.date() for s in starts] == [
        date(2026, 10, 13),
        date(2026, 10, 20),
        date(2026, 10, 27),
    ]


def test_local_until_includes_the_last_day() -> None:
    starts = _expand(
        "FREQ=WEEKLY;UNTIL=20261027T235959",
        start=_oslo(2026, 10, 13, 20),
        until=_oslo(2027, 1, 1),
    )

    assert [s.date() for s in starts][-1] == date(2026, 10, 27)


def test_window_finds_an_occurrence_that_started_before_it() -> None:
    starts = _expand(
        "FREQ=WEEKLY",
        start=_oslo(2026, 10, 13, 9),
        hours=3,
        since=_oslo(2026, 10, 20, 11),
        until=_oslo(2026, 10, 21),
    )

    assert starts == [datetime(2026, 10, 20, 9, tzinfo=OSLO)]


def test_event_without_rule_has_its_one_occurrence_in_the_window() -> None:
    start = _oslo(2026, 12, 1)

    inside = _expand("", start=start)
    outside = _expand("", start=start, since=start + timedelta(days=1))

    assert (inside, outside) == ([datetime(2026, 12, 1, 9, tzinfo=OSLO)], [])


def test_endless_series_is_capped() -> None:
    found = occurrences(
        start_dt=_oslo(2026, 1, 5),
        end_dt=_oslo(2026, 1, 5, 10),
        timezone="Europe/Oslo",
        rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU",
        exdates="",
        window_start=_oslo(2026, 1, 1),
        window_end=_oslo(2036, 1, 1),
    )

    assert len(found) == MAX_OCCURRENCES


def test_series_end_of_count_until_endless_and_single() -> None:
    start, end = _oslo(2026, 10, 13), _oslo(2026, 10, 13, 10)

    def _end(rule: str, exdates: str = "") -> datetime | None:
        return series_end(
            start_dt=start,
            end_dt=end,
            timezone="Europe/Oslo",
            rule=rule,
            exdates=exdates,
        )

    assert {
        "single": _end(""),
        "count": _end("FREQ=WEEKLY;COUNT=3"),
        "count_last_cancelled": _end("FREQ=WEEKLY;COUNT=3", "2026-10-27T09:00"),
        "until": _end("FREQ=WEEKLY;UNTIL=20261103T235959"),
        "endless": _end("FREQ=WEEKLY"),
    } == {
        "single": end,
        "count": _oslo(2026, 10, 27, 10),
        "count_last_cancelled": _oslo(2026, 10, 20, 10),
        "until": _oslo(2026, 11, 3, 10),
        "endless": None,
    }


@pytest.mark.parametrize(
    "rule",
    ["FREQ=DAILY", "FREQ=YEARLY", "FREQ=SECONDLY", "BYDAY=MO", "FREQ=WEEKLY;BYDAY=XX"],
)
def test_parse_rule_refuses_what_the_product_does_not_offer(rule: str) -> None:
    with pytest.raises(RecurrenceError):
        parse_rule(rule, _wall(2026, 10, 13, 9))


def test_parse_rule_reads_utc_until_as_the_local_day() -> None:
    rule = parse_rule(
        "RRULE:FREQ=WEEKLY;UNTIL=20261027T235959Z", _wall(2026, 10, 13, 9)
    )

    assert list(rule)[-1] == _wall(2026, 10, 27, 9)


def test_parse_rule_needs_a_naive_start() -> None:
    with pytest.raises(ValueError, match="naive"):
        parse_rule("FREQ=WEEKLY", datetime(2026, 10, 13, 9, tzinfo=UTC))


# --- the form's choices and the rules they make -------------------------------


@pytest.mark.parametrize(
    ("fields", "first_day", "rule"),
    [
        (RuleFields(), date(2026, 12, 1), ""),
        (RuleFields(repeat="weekly"), date(2026, 12, 1), "FREQ=WEEKLY;BYDAY=TU"),
        (
            RuleFields(
                repeat="weekly",
                interval=2,
                weekdays=["TH", "MO"],
                ends="count",
                count=10,
            ),
            date(2026, 11, 30),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10",
        ),
        (
            RuleFields(
                repeat="monthly",
                monthly_by="day",
                ends="until",
                until=date(2027, 6, 30),
            ),
            date(2026, 12, 14),
            "FREQ=MONTHLY;BYMONTHDAY=14;UNTIL=20270630T235959",
        ),
        (
            RuleFields(repeat="monthly", monthly_by="weekday"),
            date(2026, 12, 8),
            "FREQ=MONTHLY;BYDAY=2TU",
        ),
        (
            RuleFields(repeat="monthly", interval=3, monthly_by="last"),
            date(2026, 11, 27),
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR",
        ),
    ],
    ids=[
        "none",
        "weekly",
        "every_other_week",
        "monthly_day",
        "second_tuesday",
        "last_friday",
    ],
)
def test_build_rule_and_back(fields: RuleFields, first_day: date, rule: str) -> None:
    built = build_rule(fields, first_day)
    back = rule_fields(built)

    assert built == rule
    assert build_rule(back, first_day) == rule


@pytest.mark.parametrize(
    ("rule", "first_day", "words"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", date(2026, 12, 1), "Every week on Tuesday"),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10",
            date(2026, 11, 30),
            "Every 2 weeks on Monday, Thursday, 10 times in all",
        ),
        (
            "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270630T235959",
            date(2026, 12, 8),
            "Every month on the second Tuesday, until 2027-06-30",
        ),
        ("FREQ=MONTHLY;BYMONTHDAY=14", date(2026, 12, 14), "Every month on day 14"),
        (
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR",
            date(2026, 11, 27),
            "Every 3 months on the last Friday",
        ),
    ],
)
def test_describe_rule_in_words(rule: str, first_day: date, words: str) -> None:
    assert describe_rule(rule, first_day, format_day=date.isoformat) == words
