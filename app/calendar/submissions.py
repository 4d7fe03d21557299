"""Partner submissions: the public form's service, the e-mailed confirmation and the receipt.

Services flush and never commit; the view or job commits once. The submitter
hears from us at each step: a confirmation link (anonymous submitters), then a
receipt once the submission is in the moderation queue, or published at once
when a member of a trusted organisation sent it.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date, format_time
from flask import current_app

from app.auth.models import User
from app.auth.services import public_link
from app.calendar.events import create_event, event_data_from_submission
from app.calendar.models import Event, Submission, SubmissionState
from app.core.audit import log_audit
from app.core.db import db
from app.core.i18n import LOCALES, babel_locale, format_local_datetime
from app.core.markdown import markdown_to_text, render_markdown
from app.core.security import hash_token, new_token
from app.core.visibility import Audience, Visibility, visible_clause
from app.directory.models import Venue
from app.outbox.models import OutboxMail
from app.outbox.services import queue_mail

logger = logging.getLogger(__name__)


@dataclass
class ProposedEvent:
    """The event a submission proposes: what the submitter types, what a moderator may edit."""

    title: str
    start_dt: datetime
    end_dt: datetime
    timezone: str
    description: str = ""
    is_all_day: bool = False
    location: str = ""
    organiser_id: int | None = None
    #: A new organisation's name, when the organiser is not in the directory.
    organiser_name: str = ""
    initiative_id: int | None = None
    url: str = ""


@dataclass(kw_only=True)
class SubmissionData(ProposedEvent):
    """What a submitter sends: the proposed event and how to reach them."""

    submitter_name: str
    submitter_email: str


class ConfirmOutcome(enum.StrEnum):
    """What following a confirmation link did."""

    confirmed = "confirmed"  # now in the moderation queue
    already_confirmed = "already_confirmed"  # an earlier click did it
    invalid = "invalid"  # unknown, expired or purged: nothing to say


class AddressLimitError(Exception):
    """An address has proposed as many events as SUBMISSION_EMAIL_LIMIT allows for now."""

    def __init__(self, *, limit: int, hours: int, retry_at: datetime) -> None:
        super().__init__(f"{limit} proposals in {hours} hours")
        self.limit = limit
        self.hours = hours
        #: When the oldest counted proposal leaves the window, so one more is taken.
        self.retry_at = retry_at


@dataclass(frozen=True)
class Confirmation:
    """The outcome of a confirmation link and the submission it named (None if invalid)."""

    outcome: ConfirmOutcome
    submission: Submission | None


def create_submission(
    data: SubmissionData,
    *,
    submitter_user: User | None = None,
    locale: str,
    now: datetime,
) -> tuple[Submission, str | None]:
    """Store a proposed event and write to its submitter; return it and the confirmation token.

    Effects, by who submits:
    - anonymous: state `unconfirmed`, a single-use confirmation token (only its
      SHA-256 is stored), a "submission_confirm" mail with the link; the token is
      returned so nothing else needs to see it.
    - a logged-in member: state `pending` (their address is known), a receipt.
    - a member of a trusted organisation: state `approved` without a moderator,
      a public event created from it, and a receipt saying it is published.
    Every case adds an audit entry. The caller commits.

    The same proposal sent again (`find_resent_submission`) is folded into the
    first: that one comes back, with no token, and nothing is stored or sent.
    Otherwise an anonymous address that already has SUBMISSION_EMAIL_LIMIT
    proposals stored in the window raises `AddressLimitError`, with nothing
    stored or sent.
    """
    email = submitter_user.email if submitter_user is not None else data.submitter_email
    earlier = find_resent_submission(data, submitter_email=email, now=now)
    if earlier is not None:
        logger.info("submission %s sent again; folded into it", earlier.id)
        return earlier, None
    if submitter_user is None:
        check_address_limit(email, now=now)
    language = locale if locale in LOCALES else "nb"
    submission = Submission(
        title=data.title,
        description=data.description,
        start_dt=data.start_dt,
        end_dt=data.end_dt,
        is_all_day=data.is_all_day,
        timezone=data.timezone,
        location=data.location,
        organiser_id=data.organiser_id,
        organiser_name="" if data.organiser_id else data.organiser_name,
        initiative_id=data.initiative_id,
        url=data.url,
        submitter_name=data.submitter_name,
        submitter_email=data.submitter_email,
        locale=language,
        created_dt=now,
    )
    token: str | None = None
    if submitter_user is None:
        submission.state = SubmissionState.unconfirmed
        token, submission.confirmation_token_hash = new_token()
    else:
        submission.submitter_user_id = submitter_user.id
        submission.submitter_name = submitter_user.name
        submission.submitter_email = submitter_user.email
        submission.email_confirmed_dt = now
        submission.state = SubmissionState.pending
    db.session.add(submission)
    db.session.flush()
    actor_id = submitter_user.id if submitter_user is not None else None
    log_audit(submission, action="submitted", actor_id=actor_id, now=now)

    if token is not None:
        _queue_confirmation(submission, token=token, now=now)
    elif _is_trusted(submitter_user):
        _publish(submission, actor_id=actor_id, now=now)
        _queue_receipt(submission, now=now)
    else:
        _queue_receipt(submission, now=now)
    logger.info("submission %s created as %s", submission.id, submission.state)
    return submission, token


#: States in which a proposal sent again is the same one: nobody has decided yet.
_UNDECIDED = (SubmissionState.unconfirmed, SubmissionState.pending)


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def find_resent_submission(
    data: ProposedEvent, *, submitter_email: str, now: datetime
) -> Submission | None:
    """Return an undecided submission this one repeats, if any.

    The same proposal is one from the same address (in any case), with the
    same start and the same title (in any case and spacing), made within
    SUBMISSION_DUPLICATE_HOURS: a double click, a reload or a second try after
    a slow answer. A decided one (approved, rejected, withdrawn) is not: a
    proposal sent after a decision is new.
    """
    since = now - timedelta(hours=current_app.config["SUBMISSION_DUPLICATE_HOURS"])
    candidates = db.session.scalars(
        sa.select(Submission)
        .where(
            sa.func.lower(Submission.submitter_email) == submitter_email.lower(),
            Submission.start_dt == data.start_dt,
            Submission.state.in_(_UNDECIDED),
            Submission.created_dt >= since,
        )
        .order_by(Submission.id)
    )
    title = _title_key(data.title)
    return next((s for s in candidates if _title_key(s.title) == title), None)


def check_address_limit(email: str, *, now: datetime) -> None:
    """Raise `AddressLimitError` if `email` has as many stored proposals as the window allows.

    Only stored proposals count, so a form refused for a typo never does. The
    limit spares an address a flood of confirmation mails sent in its name
    from many networks, which the per-client limit of the view cannot see.
    SUBMISSION_EMAIL_LIMIT 0 turns it off.
    """
    limit = current_app.config["SUBMISSION_EMAIL_LIMIT"]
    if not limit:
        return
    hours = current_app.config["SUBMISSION_EMAIL_LIMIT_HOURS"]
    window = timedelta(hours=hours)
    recent = db.session.scalars(
        sa.select(Submission.created_dt)
        .where(
            sa.func.lower(Submission.submitter_email) == email.lower(),
            Submission.created_dt > now - window,
        )
        .order_by(Submission.created_dt.desc())
        .limit(limit)
    ).all()
    if len(recent) >= limit:
        raise AddressLimitError(limit=limit, hours=hours, retry_at=recent[-1] + window)


#: How far back an event's place still counts as one to suggest.
_RECENT_PLACES = timedelta(days=365)
#: At most this many places of events are suggested, the most used first.
_MAX_EVENT_PLACES = 60


def known_places(audience: Audience, *, now: datetime) -> list[str]:
    """Return the places to suggest for a proposed event's location.

    First every venue of the directory ("name, address"), then the places of
    events `audience` may see that started within a year or lie ahead, the
    most used first; each place once, whatever its case.
    """
    venues = db.session.scalars(sa.select(Venue).order_by(Venue.name)).all()
    places = [
        f"{venue.name}, {venue.address}" if venue.address else venue.name
        for venue in venues
    ]
    uses = sa.func.count(Event.id)
    rows = db.session.execute(
        sa.select(Event.location)
        .where(
            Event.location != "",
            Event.start_dt >= now - _RECENT_PLACES,
            visible_clause(Event, audience),
        )
        .group_by(Event.location)
        .order_by(uses.desc(), sa.func.max(Event.start_dt).desc(), Event.location)
        .limit(_MAX_EVENT_PLACES)
    ).scalars()
    # An event held at a venue names it without its address: no second line.
    seen = {place.casefold() for place in places}
    seen |= {venue.name.casefold() for venue in venues}
    for place in rows:
        if place.casefold() not in seen:
            seen.add(place.casefold())
            places.append(place)
    return places


def confirm_submission(token: str, *, now: datetime) -> Confirmation:
    """Follow an e-mailed confirmation link.

    A valid link (unconfirmed, younger than SUBMISSION_CONFIRM_HOURS) moves the
    submission to `pending`, dates `email_confirmed_dt`, audits and queues the
    receipt. A link already used says so and changes nothing. An unknown or
    expired link is `invalid`, whatever the reason, so it tells nobody anything.
    The state change is one conditional UPDATE, so two clicks at once confirm
    (and mail) once.
    """
    if not token or len(token) > 200:
        return Confirmation(ConfirmOutcome.invalid, None)
    submission = db.session.scalar(
        sa.select(Submission).filter_by(confirmation_token_hash=hash_token(token))
    )
    if submission is None:
        return Confirmation(ConfirmOutcome.invalid, None)
    if submission.state is not SubmissionState.unconfirmed:
        if submission.email_confirmed_dt is None:
            return Confirmation(ConfirmOutcome.invalid, None)
        return Confirmation(ConfirmOutcome.already_confirmed, submission)
    if now >= submission.created_dt + confirmation_lifetime():
        return Confirmation(ConfirmOutcome.invalid, None)
    changed = db.session.execute(
        sa.update(Submission)
        .where(
            Submission.id == submission.id,
            Submission.state == SubmissionState.unconfirmed,
        )
        .values(state=SubmissionState.pending, email_confirmed_dt=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(submission)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return Confirmation(ConfirmOutcome.already_confirmed, submission)
    log_audit(submission, action="confirmed", actor_id=None, now=now)
    _queue_receipt(submission, now=now)
    return Confirmation(ConfirmOutcome.confirmed, submission)


def purge_unconfirmed_submissions(*, now: datetime) -> int:
    """Delete submissions never confirmed within SUBMISSION_UNCONFIRMED_DAYS; return how many.

    Their submitters never proved the address; the moderation queue never saw them.
    """
    cutoff = now - timedelta(days=current_app.config["SUBMISSION_UNCONFIRMED_DAYS"])
    result = db.session.execute(
        sa.delete(Submission)
        .where(
            Submission.state == SubmissionState.unconfirmed,
            Submission.created_dt < cutoff,
        )
        .execution_options(synchronize_session=False)
    )
    count: int = result.rowcount  # type: ignore[attr-defined]
    if count:
        logger.info("purged %s unconfirmed submissions", count)
    return count


def confirmation_lifetime() -> timedelta:
    """Return how long a confirmation link works."""
    return timedelta(hours=current_app.config["SUBMISSION_CONFIRM_HOURS"])


def _is_trusted(user: User | None) -> bool:
    return bool(
        user is not None
        and user.organisation is not None
        and user.organisation.is_trusted
    )


def _publish(submission: Submission, *, actor_id: int | None, now: datetime) -> None:
    """Approve without moderation: a trusted organisation's member sent it."""
    event = create_event(
        event_data_from_submission(submission, visibility=Visibility.public),
        actor_id=actor_id,
        now=now,
    )
    submission.state = SubmissionState.approved
    submission.decided_dt = now
    submission.moderator_id = None
    submission.event_id = event.id
    db.session.flush()
    log_audit(
        submission,
        action="approved",
        actor_id=actor_id,
        now=now,
        comment="trusted organisation",
    )


def _when(submission: Submission) -> str:
    """Return the submission's time span as its submitter reads it."""
    locale = babel_locale(submission.locale)
    zone = submission.timezone
    if submission.is_all_day:
        tz = ZoneInfo(zone)
        first = submission.start_dt.astimezone(tz).date()
        last = (submission.end_dt.astimezone(tz) - timedelta(days=1)).date()
        if last <= first:
            return format_date(first, "medium", locale=locale)
        return f"{format_date(first, 'medium', locale=locale)} – {format_date(last, 'medium', locale=locale)}"
    start = format_local_datetime(submission.start_dt, zone, locale=locale)
    tz = ZoneInfo(zone)
    if (
        submission.start_dt.astimezone(tz).date()
        == submission.end_dt.astimezone(tz).date()
    ):
        end = format_time(submission.end_dt, "short", tzinfo=tz, locale=locale)
        return f"{start}–{end} ({zone})"
    end = format_local_datetime(submission.end_dt, zone, locale=locale)
    return f"{start} – {end} ({zone})"


def _context(submission: Submission, **extra: object) -> dict[str, object]:
    organiser = (
        submission.organiser.name
        if submission.organiser is not None
        else submission.organiser_name
    )
    return {
        "submission": submission,
        "name": submission.submitter_name,
        "title": submission.title,
        "when": _when(submission),
        "organiser": organiser,
        "initiative": submission.initiative.title if submission.initiative else "",
        "description_text": markdown_to_text(submission.description),
        "description_html": render_markdown(submission.description),
        **extra,
    }


def _mail_key(submission: Submission) -> str:
    """Return what names one submission in mail keys for good.

    The id alone is not enough: SQLite may give a purged submission's id to
    the next one, whose mails must not be taken for the old ones.
    """
    return f"{submission.id}:{submission.created_dt:%Y%m%dT%H%M%S%f}"


def _queue_confirmation(
    submission: Submission, *, token: str, now: datetime
) -> OutboxMail:
    link = public_link("submissions.confirm_submission", token=token)
    return queue_mail(
        "submission_confirm",
        recipient=submission.submitter_email,
        locale=submission.locale,
        context=_context(
            submission,
            link=link,
            hours=current_app.config["SUBMISSION_CONFIRM_HOURS"],
        ),
        idempotency_key=f"submission-confirm:{_mail_key(submission)}",
        now=now,
    )


def _queue_receipt(submission: Submission, *, now: datetime) -> OutboxMail:
    published = submission.state is SubmissionState.approved
    link = (
        public_link("events.show_event", event_id=str(submission.event_id))
        if published
        else ""
    )
    return queue_mail(
        "submission_received",
        recipient=submission.submitter_email,
        recipient_user_id=submission.submitter_user_id,
        locale=submission.locale,
        context=_context(submission, published=published, link=link),
        idempotency_key=f"submission-receipt:{_mail_key(submission)}",
        now=now,
    )
