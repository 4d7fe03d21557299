"""Every setting of Vertskap, with its default and its meaning.

Deployments set these as environment variables of the same name (DESIGN.md
section 6). `create_app` reads this class first, then the environment, then the
overrides a test passes in.
"""

from __future__ import annotations


class Config:
    """Defaults for every setting; each one is declared here exactly once."""

    #: "development", "testing" or "production". Outside development and testing
    #: the app refuses to start without the settings in REQUIRED_IN_PRODUCTION.
    VERTSKAP_ENV = "production"
    #: Signs sessions, CSRF tokens and e-mailed links. Never commit a real one.
    SECRET_KEY = ""
    #: SQLAlchemy URL of the database; empty means SQLite in instance/vertskap.db.
    #: A postgresql:// URL is driven by psycopg 3.
    DATABASE_URL = ""
    #: Seconds a client is asked to wait (Retry-After on a 503) while the
    #: database cannot be reached, e.g. during a PostgreSQL restart.
    DATABASE_RETRY_SECONDS = 30
    #: smtp://user:password@host:587 (STARTTLS) or smtps://host:465; empty keeps
    #: mail in the outbox, where admins read it on the outbox page.
    SMTP_URL = ""
    #: Sender address of every mail Vertskap sends.
    MAIL_FROM = ""
    #: Seconds between runs of the outbox sender in `flask --app app jobs run`.
    OUTBOX_DELIVERY_SECONDS = 30
    #: Mails one run of the sender claims and sends over one connection.
    OUTBOX_BATCH = 200
    #: Seconds a sender holds the mails it claimed; mail held by a sender that
    #: died is sent again (same Message-ID) once its claim has run out. A sender
    #: starts no new mail after half of it, so keep it well above a slow send.
    OUTBOX_CLAIM_SECONDS = 300
    #: Where users reach the site, for links in mail and feed UIDs.
    PUBLIC_BASE_URL = ""
    #: Address and port `flask serve` (and so `make run HOST=... PORT=...`)
    #: listens on; without PUBLIC_BASE_URL, links point there (development).
    HOST = "127.0.0.1"
    PORT = 5000
    #: The city's own IANA time zone: default for new users and objects.
    TIMEZONE = "Europe/Oslo"
    #: The host city and its ISO 3166-1 country: where incoming visits take
    #: place (calendar, feeds, API); the delegation's own city is its origin.
    HOST_CITY = "Trondheim"
    HOST_COUNTRY = "NO"
    #: Language of pages for anonymous visitors and new users ("nb" or "en").
    DEFAULT_LOCALE = "nb"
    #: Minutes a password reset or invitation link stays valid.
    PASSWORD_RESET_MINUTES = 60
    #: Reset links one account gets at most in PASSWORD_RESET_LIMIT_MINUTES,
    #: whichever addresses ask: more asks get the same answer and no mail.
    PASSWORD_RESET_MAILS_PER_ACCOUNT = 3
    PASSWORD_RESET_LIMIT_MINUTES = 60
    #: Days an invitation link stays valid.
    INVITATION_DAYS = 7
    #: Failed log-ins allowed per account, and per address, in LOGIN_THROTTLE_MINUTES.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_THROTTLE_MINUTES = 15
    #: Hours a browser session lasts without activity.
    SESSION_HOURS = 12
    #: Hours after the log-in a session ends, however active it is.
    SESSION_ABSOLUTE_HOURS = 12
    #: Storage of the rate limiter; memory:// is per process, use redis:// for
    #: several workers.
    RATELIMIT_STORAGE_URI = "memory://"
    #: Upcoming items shown on the home page.
    HOME_UPCOMING_LIMIT = 8
    #: Items per page on list pages.
    PAGE_SIZE = 50
    #: Longest event, in days from start to end (staff and public forms): a
    #: season-long exhibition fits; an end years away is a typo. Longer
    #: activities are better entered as a recurring event.
    EVENT_MAX_DAYS = 92
    #: Longest visit, in days from arrival to departure: delegation visits last
    #: days or weeks; a three-month study stay still fits.
    VISIT_MAX_DAYS = 92
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust;
    #: 0 when clients connect directly. Log-in throttling and rate limits count
    #: per client address, so behind a proxy this must be set.
    TRUSTED_PROXY_HOPS = 0
    #: Host names requests may be addressed to (comma separated); others get
    #: 400. Empty: PUBLIC_BASE_URL's host in production, any in development.
    TRUSTED_HOSTS = ""
    #: Seconds browsers keep to HTTPS after a visit (Strict-Transport-Security),
    #: sent only when PUBLIC_BASE_URL is https; 0 sends none.
    HSTS_SECONDS = 31_536_000
    #: Send mail only to these exact addresses when set (comma separated); a
    #: safety catch for staging servers.
    MAIL_ALLOWED_RECIPIENTS = ""
    #: Public submission form: proposals accepted per client address (Flask-Limiter
    #: syntax, e.g. "5 per hour"); a post refused for a typo does not count.
    #: RATELIMIT_ENABLED=False switches this and the next limit off.
    SUBMISSION_RATE_LIMIT = "5 per hour"
    #: Posts of the public form per client address, refused ones included.
    SUBMISSION_ATTEMPT_RATE_LIMIT = "60 per hour"
    #: Proposals stored per submitter e-mail address (anonymous submitters) in
    #: SUBMISSION_EMAIL_LIMIT_HOURS; a refused form never counts. It spares an
    #: address a flood of confirmation mails sent from many networks. 0: no limit.
    SUBMISSION_EMAIL_LIMIT = 10
    #: The window of SUBMISSION_EMAIL_LIMIT, in hours.
    SUBMISSION_EMAIL_LIMIT_HOURS = 24
    #: Seconds the public form must be open before it is sent (robots post at
    #: once); a quicker post is shown again, all typed text kept. 0: no check.
    SUBMISSION_MIN_FILL_SECONDS = 3
    #: Hours the public form's signed opening time stays good; an older or
    #: forged one is shown again with a fresh time, all typed text kept.
    SUBMISSION_FORM_MAX_HOURS = 12
    #: Hours in which the same proposal (same address, title and start, not yet
    #: decided) sent again is folded into the first: no second entry or mail.
    SUBMISSION_DUPLICATE_HOURS = 24
    #: Web links a proposal's description may hold (spam carries many).
    SUBMISSION_MAX_LINKS = 5
    #: Hours an e-mailed submission confirmation link stays valid.
    SUBMISSION_CONFIRM_HOURS = 48
    #: Days after which submissions never confirmed are deleted.
    SUBMISSION_UNCONFIRMED_DAYS = 7
    #: Minutes between runs of the moderators' batched notice about new
    #: submissions; each run mails every admin once, and only when something is new.
    MODERATORS_NOTICE_MINUTES = 10
    #: Minutes between runs of the purge of submissions never confirmed.
    SUBMISSION_PURGE_MINUTES = 60
    #: Hours after Monday 08:00 (TIMEZONE) in which the weekly digest may still
    #: go out; a scheduler that was down longer skips that week, not sends it stale.
    DIGEST_LATE_HOURS = 12
    #: iCal feeds show items from this many days back, and everything ahead; a
    #: recurring series reaching into that window is published whole.
    FEED_WINDOW_DAYS_BACK = 90
    #: Days a cancelled item stays in the feeds, marked STATUS:CANCELLED, after
    #: its last change, so subscribed calendars learn of the cancellation.
    FEED_CANCELLED_DAYS = 30
    #: Minutes between refreshes that feeds suggest to calendar clients
    #: (REFRESH-INTERVAL and X-PUBLISHED-TTL).
    FEED_REFRESH_MINUTES = 60
    #: Seconds a feed may be cached (Cache-Control max-age): public for the
    #: public feed, so a CDN can serve it; private for token and visit feeds.
    FEED_MAX_AGE = 900
    #: Feed fetches allowed per client address (Flask-Limiter syntax).
    FEED_RATE_LIMIT = "120 per minute"
    #: Fetches allowed per private feed link, counted by the hash of its token.
    PRIVATE_FEED_RATE_LIMIT = "60 per minute"
    #: Read-API requests allowed per client address, or per token when one is
    #: sent (Flask-Limiter syntax).
    API_RATE_LIMIT = "300 per minute"
    #: Assembled feeds each worker keeps in memory while the calendar is unchanged
    #: (one per audience, filter set and language asked for; least used leave first).
    FEED_CACHE_ENTRIES = 32
    #: Serialised feed items each worker keeps (about 1-2 kB each): a feed rebuilt
    #: after a change serialises the changed items only. Room for every item of
    #: the feed window in both languages keeps rebuilds fast.
    FEED_ENTRY_CACHE_SIZE = 40_000
    #: Seconds a worker trusts the calendar version it last read: feeds may lag
    #: a change (or a token's revocation) by this long, and a busy worker reads
    #: the version once per interval instead of once per request. 0 reads always.
    FEED_VERSION_SECONDS = 1.0
    #: Seconds a worker answers a feed it served before without asking Flask,
    #: while the version stands; after that one fetch goes the whole way again
    #: (checking the token, noting its use).
    FEED_LANE_SECONDS = 60


#: Settings that must be set, and not left empty, outside development and testing.
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "DATABASE_URL", "MAIL_FROM", "PUBLIC_BASE_URL")

#: Values that look set but are not real secrets.
PLACEHOLDER_SECRETS = frozenset({"", "dev", "change-me", "changeme", "secret", "test"})
