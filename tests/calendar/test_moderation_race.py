"""Two moderators deciding the same submission at once: exactly one decision wins.

Each moderator runs in a thread of its own with its own app context, so each
has its own database session and connection, as two web workers would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.models import Role
from app.calendar.models import Event, Submission, SubmissionState
from app.calendar.moderation import (
    AlreadyDecidedError,
    RejectReason,
    approve,
    mark_spam,
    reject,
)
from app.core.db import db
from app.core.visibility import Visibility
from app.outbox.models import OutboxMail
from tests.calendar.test_moderation import make_submission
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

#: Seconds the first winner keeps its transaction open, so the other
#: moderator's UPDATE certainly arrives while the row is still undecided.
HOLD = 0.4


def _decider(
    app: Flask,
    decide: Callable[[], Any],
    *,
    start: threading.Barrier,
    outcomes: list[str],
    decided: threading.Event | None = None,
    hold: float = 0.0,
) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                decide()
                if decided is not None:
                    decided.set()
                time.sleep(hold)
                db.session.commit()
                outcomes.append("won")
            except AlreadyDecidedError as error:
                db.session.rollback()
                outcomes.append(f"lost to {error.state.value}")
            except Exception as error:  # reported by the test below
                db.session.rollback()
                outcomes.append(f"error {error!r}")
            finally:
                db.session.remove()

    return run


def _run_both(first: Callable[[], None], second: Callable[[], None]) -> None:
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)


def _counts() -> tuple[int, int]:
    db.session.expire_all()
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    mails = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMail)
        .where(OutboxMail.kind == "submission_decided")
    )
    return events or 0, mails or 0


def test_two_approvals_at_once_create_one_event_and_one_mail(app, create_user):
    ada = create_user(role=Role.admin)
    bo = create_user(role=Role.admin)
    submission_id = make_submission().id
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def approve_as(user_id: int) -> Callable[[], Any]:
        return lambda: approve(
            submission_id, visibility=Visibility.public, actor_id=user_id, now=NOW
        )

    _run_both(
        _decider(app, approve_as(ada.id), start=start, outcomes=outcomes),
        _decider(app, approve_as(bo.id), start=start, outcomes=outcomes),
    )

    assert sorted(outcomes) == ["lost to approved", "won"]
    assert _counts() == (1, 1)
    submission = db.session.get(Submission, submission_id)
    assert submission.state is SubmissionState.approved
    assert submission.moderator_id in {ada.id, bo.id}
    assert submission.event_id is not None


@pytest.mark.parametrize("loser", ["approve", "reject", "spam"])
def test_a_decision_arriving_while_another_is_uncommitted_loses(
    app, create_user, loser
):
    """The second UPDATE waits for the first transaction, then finds nothing pending."""
    ada = create_user(role=Role.admin)
    bo = create_user(role=Role.admin)
    submission_id = make_submission().id
    outcomes: list[str] = []
    start = threading.Barrier(2)
    first_decided = threading.Event()
    late: dict[str, Callable[[], Any]] = {
        "approve": lambda: approve(
            submission_id, visibility=Visibility.forum, actor_id=bo.id, now=NOW
        ),
        "reject": lambda: reject(
            submission_id,
            reason=RejectReason.duplicate,
            actor_id=bo.id,
            now=NOW,
        ),
        "spam": lambda: mark_spam(submission_id, actor_id=bo.id, now=NOW),
    }

    def second() -> None:
        first_decided.wait(timeout=10)
        late[loser]()

    _run_both(
        _decider(
            app,
            lambda: reject(
                submission_id,
                reason=RejectReason.insufficient,
                actor_id=ada.id,
                now=NOW,
            ),
            start=start,
            outcomes=outcomes,
            decided=first_decided,
            hold=HOLD,
        ),
        _decider(app, second, start=start, outcomes=outcomes),
    )

    # The two threads note their outcomes as they finish, in either order: the
    # loser may be woken by the winner's commit before the winner notes it.
    assert sorted(outcomes) == ["lost to rejected", "won"]
    assert _counts() == (0, 1)
    submission = db.session.get(Submission, submission_id)
    assert (submission.state, submission.moderator_id) == (
        SubmissionState.rejected,
        ada.id,
    )
