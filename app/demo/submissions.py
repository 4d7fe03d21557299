"""Demo partner submissions: one in each state the moderation queue shows."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.calendar.models import Submission, SubmissionState
from app.core.db import db
from app.demo import data
from app.demo.context import LoadContext
from app.demo.schedule import at, relative_day


def load_submissions(context: LoadContext) -> None:
    """Add the demo submissions not loaded before, found again by address and title."""
    existing = {
        (email, title)
        for email, title in db.session.execute(
            sa.select(Submission.submitter_email, Submission.title)
        )
    }
    admin = context.users[data.ADMIN_EMAIL]
    for spec in data.SUBMISSIONS:
        if (spec.submitter_email, spec.title) in existing:
            continue
        day = relative_day(spec.when, today=context.today)
        submitted = context.now - timedelta(days=spec.submitted_days_ago)
        decided = spec.state in (SubmissionState.approved, SubmissionState.rejected)
        submission = Submission(
            state=spec.state,
            title=spec.title,
            description=spec.description,
            start_dt=at(day, spec.start, data.OSLO),
            end_dt=at(day, spec.end, data.OSLO),
            timezone=data.OSLO,
            location=spec.location,
            organiser=context.organisation(spec.organiser),
            organiser_name=spec.organiser_name,
            initiative=context.initiative(spec.initiative),
            url=spec.url,
            submitter_name=spec.submitter_name,
            submitter_email=spec.submitter_email,
            locale=spec.locale,
            created_dt=submitted,
            email_confirmed_dt=(
                None
                if spec.state is SubmissionState.unconfirmed
                else submitted + timedelta(minutes=7)
            ),
            # The demo sends no moderator notice about made-up submissions.
            moderators_notified_dt=submitted + timedelta(minutes=10),
            moderator=admin if decided else None,
            decided_dt=submitted + timedelta(days=1) if decided else None,
            reject_reason=spec.reject_reason,
            event=context.events[spec.event] if spec.event else None,
        )
        context.add("submissions", submission)
