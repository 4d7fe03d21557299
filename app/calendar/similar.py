"""Similar events and submissions: the moderators' warning before a duplicate is published.

Similar means a similar title (case-insensitive; difflib ratio or shared words)
on a local day the submission touches, or the same location and start. One
query over a window of a day around the submissions finds the candidates, and
recurring series are expanded in that window only.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app.calendar.models import Event, Submission, SubmissionState
from app.core.db import db
from app.core.timezones import utc_to_local

#: Two titles at least this alike (difflib ratio, 0..1) count as similar.
TITLE_SIMILARITY = 0.6
#: Share of the shorter title's words that must appear in the other title.
TOKEN_OVERLAP = 0.6


def _tokens(title: str) -> set[str]:
    return {word for word in re.findall(r"\w+", title.casefold()) if len(word) > 2}


def titles_similar(first: str, second: str) -> bool:
    """Return whether two titles look like the same event (case-insensitive)."""
    a, b = " ".join(first.casefold().split()), " ".join(second.casefold().split())
    if not a or not b:
        return False
    if a == b or difflib.SequenceMatcher(None, a, b).ratio() >= TITLE_SIMILARITY:
        return True
    tokens_a, tokens_b = _tokens(a), _tokens(b)
    if not tokens_a or not tokens_b:
        return False
    shared = len(tokens_a & tokens_b)
    return shared / min(len(tokens_a), len(tokens_b)) >= TOKEN_OVERLAP


def _same_place_and_start(
    location: str, start_dt: datetime, other_location: str, other_start: datetime
) -> bool:
    here = " ".join(location.casefold().split())
    return (
        bool(here)
        and here == " ".join(other_location.casefold().split())
        and (start_dt == other_start)
    )


def _local_days(start: datetime, end: datetime, zone: str) -> set[Any]:
    """Return the local dates a span touches (an end at midnight adds no day)."""
    first = utc_to_local(start, zone).date()
    last = utc_to_local(max(end - timedelta(microseconds=1), start), zone).date()
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def _is_similar(
    submission: Submission,
    *,
    title: str,
    start_dt: datetime,
    end_dt: datetime,
    location: str,
) -> bool:
    if _same_place_and_start(
        submission.location, submission.start_dt, location, start_dt
    ):
        return True
    if not titles_similar(submission.title, title):
        return False
    zone = submission.timezone
    return bool(
        _local_days(submission.start_dt, submission.end_dt, zone)
        & _local_days(start_dt, end_dt, zone)
    )


def _window(submission: Submission) -> tuple[datetime, datetime]:
    # A day on each side covers every zone's idea of "the same day".
    return submission.start_dt - timedelta(days=1), submission.end_dt + timedelta(
        days=1
    )


def _event_window_clause(submissions: Sequence[Submission]) -> Any:
    clauses = []
    for submission in submissions:
        start, end = _window(submission)
        clauses.append(
            sa.and_(
                Event.start_dt < end,
                sa.or_(
                    Event.end_dt > start,
                    # A series that began earlier may still have an occurrence here.
                    sa.and_(
                        Event.rrule != "",
                        sa.or_(
                            Event.series_end_dt.is_(None), Event.series_end_dt > start
                        ),
                    ),
                ),
            )
        )
    return sa.or_(*clauses)


def _event_matches(submission: Submission, event: Event) -> bool:
    if event.id == submission.event_id:
        return False
    if not event.rrule:
        return _is_similar(
            submission,
            title=event.title,
            start_dt=event.start_dt,
            end_dt=event.end_dt,
            location=event.location,
        )
    start, end = _window(submission)
    found = event.occurrences_between(start, end)
    return any(
        _is_similar(
            submission,
            title=event.title,
            start_dt=occurrence.start_dt,
            end_dt=occurrence.end_dt,
            location=event.location,
        )
        for occurrence in found
    )


def similar_events(submission: Submission) -> list[Event]:
    """Return calendar events that look like this submission, whatever their visibility.

    Similar means a similar title (case-insensitive; difflib ratio or shared
    words) on a day the submission touches, or the same location and start.
    One query over a window of a day around the submission finds the candidates.
    """
    return similar_events_for([submission]).get(submission.id, [])


def similar_events_for(submissions: Sequence[Submission]) -> dict[int, list[Event]]:
    """Return the similar events of several submissions at once (one query)."""
    if not submissions:
        return {}
    candidates = db.session.scalars(
        sa.select(Event)
        .where(_event_window_clause(submissions))
        .order_by(Event.start_dt)
    ).all()
    return {
        submission.id: [e for e in candidates if _event_matches(submission, e)]
        for submission in submissions
    }


def similar_submissions(submission: Submission) -> list[Submission]:
    """Return other pending submissions that look like this one."""
    return similar_submissions_for([submission]).get(submission.id, [])


def similar_submissions_for(
    submissions: Sequence[Submission],
) -> dict[int, list[Submission]]:
    """Return, for several submissions, the other pending submissions alike (one query)."""
    if not submissions:
        return {}
    windows = [_window(s) for s in submissions]
    candidates = db.session.scalars(
        sa.select(Submission)
        .where(
            Submission.state == SubmissionState.pending,
            sa.or_(
                *(
                    sa.and_(Submission.start_dt < end, Submission.end_dt > start)
                    for start, end in windows
                )
            ),
        )
        .order_by(Submission.created_dt, Submission.id)
    ).all()
    return {
        submission.id: [
            other
            for other in candidates
            if other.id != submission.id
            and _is_similar(
                submission,
                title=other.title,
                start_dt=other.start_dt,
                end_dt=other.end_dt,
                location=other.location,
            )
        ]
        for submission in submissions
    }


def flag_similar(submissions: Sequence[Submission]) -> set[int]:
    """Return the ids of the submissions that have a similar event or pending submission."""
    events = similar_events_for(submissions)
    others = similar_submissions_for(submissions)
    return {s.id for s in submissions if events.get(s.id) or others.get(s.id)}
