"""Flask commands: users, feed links, demo data, the scheduler and the all-in-one local server."""

from __future__ import annotations

import logging
import os
import signal
import smtplib
import subprocess
import sys
from types import FrameType

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.auth.models import Role
from app.auth.services import (
    AccountError,
    create_user,
    get_user_by_email,
    password_problems,
    public_link,
)
from app.core.db import db, utcnow
from app.directory.services import get_organisation_by_short_name
from app.feeds.models import AccessPurpose
from app.feeds.tokens import (
    MAX_ACTIVE_TOKENS,
    MAX_LABEL_LENGTH,
    FeedTokenError,
    create_feed_token,
)
from app.outbox.delivery import DeliveryReport, deliver_due_mail
from app.outbox.mail import MailConfigurationError, parse_smtp_url
from app.outbox.services import send_test_mail

logger = logging.getLogger(__name__)

#: Operator-facing English texts of account errors.
CLI_ACCOUNT_MESSAGES = {
    "invalid_email": "not a valid e-mail address",
    "email_taken": "a user with this e-mail address already exists",
    "weak_password": "password refused: use at least 10 varied characters, not the e-mail address",
}

#: Operator-facing English texts of feed token errors.
CLI_FEED_TOKEN_MESSAGES = {
    "label_empty": "the label is empty",
    "label_too_long": f"the label is longer than {MAX_LABEL_LENGTH} characters",
    "label_taken": "this user already has an active feed link with this label",
    "too_many": f"this user already has {MAX_ACTIVE_TOKENS} active feed links; revoke one first",
}
#: The same for API tokens (`flask feeds token --api`).
CLI_API_TOKEN_MESSAGES = {
    **CLI_FEED_TOKEN_MESSAGES,
    "label_taken": "this user already has an active API token with this label",
    "too_many": f"this user already has {MAX_ACTIVE_TOKENS} active API tokens; revoke one first",
}

users_cli = AppGroup("users", help="Manage user accounts.")
feeds_cli = AppGroup("feeds", help="Private calendar feed links.")
demo_cli = AppGroup("demo", help="Demo data drawn from the 2011-2012 action programme.")
jobs_cli = AppGroup("jobs", help="The scheduler process.")
mail_cli = AppGroup("mail", help="Mail delivery.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", required=True)
@click.option(
    "--organisation",
    "organisation_short_name",
    default=None,
    help="Short name, e.g. NTNU.",
)
@click.option("--locale", type=click.Choice(["nb", "en"]), default=None)
def create_user_command(
    email: str,
    role: str,
    name: str,
    organisation_short_name: str | None,
    locale: str | None,
) -> None:
    """Create a user; the password is read from standard input."""
    organisation = None
    if organisation_short_name:
        organisation = get_organisation_by_short_name(organisation_short_name)
        if organisation is None:
            raise click.ClickException(
                f"no organisation with short name {organisation_short_name!r}"
            )
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problems = password_problems(password, email=email)
    if problems:
        raise click.ClickException(
            "password refused: " + ", ".join(problems).replace("_", " ")
        )
    try:
        user = create_user(
            email,
            name=name,
            role=Role(role),
            password=password,
            organisation=organisation,
            locale=locale,
            now=utcnow(),
        )
    except AccountError as error:
        raise click.ClickException(
            CLI_ACCOUNT_MESSAGES.get(error.code, error.code)
        ) from error
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email} (id {user.id})")


@feeds_cli.command("token")
@click.argument("email")
@click.option(
    "--label", required=True, help="What the link is for, e.g. 'Outlook at work'."
)
@click.option(
    "--api",
    "api",
    is_flag=True,
    help="Issue a read-API token (printed bare) instead of a feed link.",
)
def create_feed_token_command(email: str, label: str, api: bool) -> None:
    """Issue a private feed link for a user and print its URL; it is shown only this once.

    With --api, issue a personal read-API token instead and print the token
    itself: it opens the API, never a feed, and is also shown only this once.
    """
    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail address {email.strip()!r}")
    if not user.is_active:
        raise click.ClickException(f"user {user.email} is deactivated")
    purpose = AccessPurpose.api if api else AccessPurpose.feed
    messages = CLI_API_TOKEN_MESSAGES if api else CLI_FEED_TOKEN_MESSAGES
    try:
        _token, raw = create_feed_token(
            user, label=label, now=utcnow(), by_owner=False, purpose=purpose
        )
    except FeedTokenError as error:
        raise click.ClickException(messages.get(error.code, error.code)) from error
    shown = raw if api else public_link("feeds.private_feed", token=raw)
    db.session.commit()
    click.echo(shown)


@demo_cli.command("load")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already has users."
)
def load_demo_command(if_empty: bool) -> None:
    """Load the demo data; running it again changes nothing."""
    from app.demo.services import database_is_empty, load_demo_data  # noqa: PLC0415 -- demo code stays out of the app's import graph

    if if_empty and not database_is_empty():
        click.echo("database already has data; demo data not loaded")
        return
    summary = load_demo_data(now=utcnow())
    db.session.commit()
    click.echo(summary.describe())


@jobs_cli.command("run")
def run_jobs_command() -> None:
    """Run the scheduler in the foreground until Ctrl-C or SIGTERM."""
    from app.notifications.jobs import build_scheduler  # noqa: PLC0415 -- APScheduler is only needed here

    scheduler = build_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
    # The stop signals are taken by sigwait, not by handlers, so the scheduler
    # stops once however many arrive: Ctrl-C reaches every process of the
    # terminal's group and `flask serve` then sends SIGTERM too. They are
    # blocked before the scheduler's threads start, which inherit the mask.
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    scheduler.start()
    click.echo("scheduler running; Ctrl-C or SIGTERM stops it")
    signal.sigwait(stop_signals)
    # Lets a running tick finish; the database says what is due next time.
    scheduler.shutdown()
    click.echo("scheduler stopped")


@mail_cli.command("test")
@click.argument("address")
def send_test_mail_command(address: str) -> None:
    """Send one test message straight to SMTP_URL, to check the relay settings."""
    try:
        answer = send_test_mail(address, now=utcnow())
    except (OSError, smtplib.SMTPException, MailConfigurationError) as error:
        raise click.ClickException(f"sending failed: {error}") from error
    click.echo(f"sent; the server answered: {answer}")


@mail_cli.command("deliver")
@click.option(
    "--until-empty",
    is_flag=True,
    help="Repeat until no mail is due (mail held by another sender is not due).",
)
def deliver_outbox_command(until_empty: bool) -> None:
    """Deliver the due outbox mail to SMTP_URL once, or until none is due, and report."""
    config = current_app.config
    if not config["SMTP_URL"]:
        raise click.ClickException("SMTP_URL is not set; mail stays in the outbox")
    try:
        settings = parse_smtp_url(config["SMTP_URL"])
    except MailConfigurationError as error:
        raise click.ClickException(str(error)) from error
    total = DeliveryReport()
    while True:
        # A failure goes back with a backoff and a refusal fails for good, so
        # each round either sends something or leaves less due: the loop ends.
        report = deliver_due_mail(
            settings,
            sender=config["MAIL_FROM"],
            now=utcnow(),
            limit=int(config["OUTBOX_BATCH"]),
        )
        total += report
        if not until_empty or report.claimed == 0:
            break
    click.echo(
        f"sent {total.sent}, retrying later {total.retrying}, failed {total.failed}"
    )


def local_base_url(host: str, port: int) -> str:
    """Return the address a server listening on `host`:`port` is reached at from this machine.

    A wildcard address (0.0.0.0 or ::) listens everywhere; links name the
    loopback address, which always reaches it.
    """
    wildcard = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104 -- compared, never bound
    host = wildcard.get(host, host)
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address in a URL (RFC 3986 section 3.2.2)
    return f"http://{host}:{port}"


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on  [default: HOST]")
@click.option(
    "--port", default=None, type=int, help="Port to listen on  [default: PORT]"
)
def serve_command(host: str | None, port: int | None) -> None:
    """Serve the web app and run the scheduler beside it; Ctrl-C (or SIGTERM) stops both."""
    from werkzeug.serving import run_simple  # noqa: PLC0415 -- only the local server needs it

    host, port = serve_address(current_app, host, port)

    def stop(signum: int, frame: FrameType | None) -> None:
        # Python's default SIGTERM ends the process without `finally`, which
        # would leave the scheduler running on its own.
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    # The scheduler's mails link to where this server listens, as its pages do.
    jobs = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "jobs", "run"],
        env={**os.environ, "HOST": host, "PORT": str(port)},
    )
    try:
        click.echo(f"Vertskap on http://{host}:{port}/ (scheduler pid {jobs.pid})")
        run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        jobs.terminate()
        try:
            jobs.wait(timeout=10)
        except subprocess.TimeoutExpired:
            jobs.kill()


def serve_address(app: Flask, host: str | None, port: int | None) -> tuple[str, int]:
    """Return where `flask serve` listens, and make the app's links point there.

    Options win over HOST and PORT. Without a PUBLIC_BASE_URL of its own the
    app's fallback was made from HOST and PORT; it follows the options too.
    """
    config = app.config
    chosen_host = config["HOST"] if host is None else host
    chosen_port = config["PORT"] if port is None else port
    if config["PUBLIC_BASE_URL"] == local_base_url(config["HOST"], config["PORT"]):
        config["PUBLIC_BASE_URL"] = local_base_url(chosen_host, chosen_port)
    return chosen_host, chosen_port


def register_commands(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(users_cli)
    app.cli.add_command(feeds_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(serve_command)
