"""The OpenAPI 3.1 document of the read API, built in code from one table of operations.

The document is the contract the property-based test checks every answer
against, so each response the views can give (200, 304, 400, 401, 404, 429)
is described here with its body and headers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.calendar.filters import MAX_FILTER_VALUES, SHORT_NAME_REGEX, SLUG_REGEX
from app.calendar.models import EventStatus
from app.calendar.services import EntryKind
from app.delegations.models import DelegationStatus, Direction, ProtocolLevel
from app.directory.models import OrganisationKind

#: Largest page a list answers; `per_page` above it is refused.
MAX_PER_PAGE = 200
#: Page size when `per_page` is not given.
DEFAULT_PER_PAGE = 50
#: Highest page number accepted: far beyond any real list, low enough for any database.
MAX_PAGE = 100_000
#: Longest period one request may cover, in days (recurring events expand inside it).
MAX_WINDOW_DAYS = 731
#: Period covered when `to` is not given, in days from `from`.
DEFAULT_WINDOW_DAYS = 365
#: Largest id accepted anywhere: PostgreSQL's integer.
MAX_ID = 2**31 - 1

API_DESCRIPTION = f"""\
Read-only JSON view of the calendar: events, programme items of visits,
visits, initiatives and organisations.

**Visibility.** Without a token the API shows what anonymous visitors see
(public objects only). With a personal token it shows what the token's owner
sees on the site, at the moment of each request. Participants and staff
working fields are never part of any answer.

**Tokens.** A personal API token is made and revoked on the page
`/api-tokens` (after logging in) and sent as `Authorization: Bearer <token>`:
read-only, the owner's view. It is not a calendar feed link: a feed link's
token is refused here, and an API token does not work as a feed link. An
unknown, revoked or malformed token is answered 401, never with the public
view.

**Periods.** `from` and `to` take a date (`2026-11-26`, read in the site's
zone; `to` includes that whole day) or a date-time with its UTC offset. Lists
of calendar objects cover `[from, to)`: without `from`, from now down to the
whole minute (UTC), so an answer and its ETag hold for up to a minute;
without `to`, {DEFAULT_WINDOW_DAYS} days after `from`; at most
{MAX_WINDOW_DAYS} days.

**Events.** One item per event. A recurring event carries its `rrule`, its
`exdates` and its `occurrences` inside the period (at most 100). Times are
ISO 8601 local times of the object's IANA `timezone`, with their offset.

**Filters.** Lists of calendar objects take the calendar's own filters:
`initiative` and `theme` (an id or a slug), `organisation` (an id or a short
name) and `kind` (event, programme, visit). Each may be repeated (at most
{MAX_FILTER_VALUES} times): an object matches any value of one filter, and
every filter given. A value that names nothing is refused with 400, never
read as "no filter"; a list whose kind is not among the `kind` values is
empty.

**Caching.** Every answer has a strong ETag; send it back in `If-None-Match`
to get 304. Answers without a token may be cached by anyone and carry
`Access-Control-Allow-Origin: *`; answers to a token are private.

**Limits.** Requests are counted per client address, or per token when one
is sent; over the limit the answer is 429 with `Retry-After` (seconds).
Answers carry `X-RateLimit-Limit` (requests per period),
`X-RateLimit-Remaining` and `X-RateLimit-Reset` (when the count starts
again, a Unix time in seconds).
"""


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_STR = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_DATETIME = {"type": "string", "format": "date-time"}
#: An event's description: the limited Markdown of app/core/markdown.py.
_MARKDOWN = {
    "type": "string",
    "contentMediaType": "text/markdown",
    "description": (
        "Limited Markdown (CommonMark): paragraphs, line breaks, emphasis, "
        "lists, links (http, https, mailto), quotes and inline code; raw HTML "
        "and images are not rendered. Render it with raw HTML off, or show it "
        "as plain text."
    ),
}
#: A description shown as typed: plain text, line breaks kept.
_PLAIN_TEXT = {
    "type": "string",
    "contentMediaType": "text/plain",
    "description": "Plain text as typed, line breaks kept; no markup.",
}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _schemas() -> dict[str, Any]:
    visibility = {"type": "string", "enum": ["public", "forum", "internal"]}
    return {
        "OrganisationRef": _object({"id": _INT, "short_name": _STR, "name": _STR}),
        "InitiativeRef": _object({"id": _INT, "slug": _STR, "title": _STR}),
        "Theme": _object({"id": _INT, "slug": _STR, "name_nb": _STR, "name_en": _STR}),
        "Occurrence": _object({"start": _DATETIME, "end": _DATETIME}),
        "Event": _object(
            {
                "id": _INT,
                "uid": _STR,
                "title": _STR,
                "description": _MARKDOWN,
                "start": _DATETIME,
                "end": _DATETIME,
                "timezone": _STR,
                "is_all_day": _BOOL,
                "location": _STR,
                "url": _STR,
                "status": {"type": "string", "enum": [s.value for s in EventStatus]},
                "visibility": visibility,
                "organisation": _nullable(_ref("OrganisationRef")),
                "organiser_name": _STR,
                "initiative": _nullable(_ref("InitiativeRef")),
                "themes": {"type": "array", "items": _ref("Theme")},
                "rrule": _nullable(_STR),
                "exdates": {
                    "type": "array",
                    "items": _DATETIME,
                    "description": (
                        "Start times of cancelled occurrences, oldest first: "
                        "local times of `timezone` with their UTC offset."
                    ),
                },
                "occurrences": {"type": "array", "items": _ref("Occurrence")},
                "occurrences_truncated": _BOOL,
                "sequence": _INT,
                "updated": _DATETIME,
            }
        ),
        "ProgrammeItem": _object(
            {
                "id": _INT,
                "uid": _STR,
                "visit_id": _INT,
                "title": _STR,
                "description": _PLAIN_TEXT,
                "start": _DATETIME,
                "end": _DATETIME,
                "timezone": _STR,
                "location": _STR,
                "venue": _nullable(
                    _object({"id": _INT, "name": _STR, "address": _STR})
                ),
                "responsible_organisation": _nullable(_ref("OrganisationRef")),
                "visit_status": {
                    "type": "string",
                    "enum": [s.value for s in DelegationStatus],
                },
                "visibility": visibility,
                "sequence": _INT,
                "updated": _DATETIME,
            }
        ),
        "Visit": _object(
            {
                "id": _INT,
                "uid": _STR,
                "title": _STR,
                "direction": {"type": "string", "enum": [d.value for d in Direction]},
                "status": {
                    "type": "string",
                    "enum": [s.value for s in DelegationStatus],
                },
                "protocol_level": {
                    "type": "string",
                    "enum": [p.value for p in ProtocolLevel],
                },
                "arrival": _DATETIME,
                "departure": _DATETIME,
                "timezone": _STR,
                "country": {
                    **_STR,
                    "description": (
                        "ISO 3166-1 code of the delegation's own country: where an "
                        "incoming delegation comes from, where an outgoing visit goes."
                    ),
                },
                "location": {
                    **_STR,
                    "description": (
                        "Where the visit takes place, as the calendar shows it: the "
                        "host city for an incoming visit; the city visited (or its "
                        "country's code) for an outgoing one."
                    ),
                },
                "city": _nullable(_object({"id": _INT, "name": _STR, "country": _STR})),
                "foreign_organisations": _STR,
                "host_organisation": _nullable(_ref("OrganisationRef")),
                "co_hosts": {"type": "array", "items": _ref("OrganisationRef")},
                "initiative": _nullable(_ref("InitiativeRef")),
                "themes": {"type": "array", "items": _ref("Theme")},
                "visibility": visibility,
                "sequence": _INT,
                "updated": _DATETIME,
            }
        ),
        "Initiative": _object(
            {
                "id": _INT,
                "slug": _STR,
                "title": _STR,
                "programme_period": _STR,
                "description": _PLAIN_TEXT,
                "working_group": {"type": "array", "items": _ref("OrganisationRef")},
            }
        ),
        "Organisation": _object(
            {
                "id": _INT,
                "short_name": _STR,
                "name": _STR,
                "kind": {
                    "type": "string",
                    "enum": [k.value for k in OrganisationKind],
                },
                "is_forum_member": _BOOL,
                "website": _STR,
            }
        ),
        "Meta": _object(
            {
                "page": _INT,
                "per_page": _INT,
                "total": _INT,
                "from": _nullable(_DATETIME),
                "to": _nullable(_DATETIME),
            }
        ),
        "Links": _object(
            {"self": _STR, "next": _nullable(_STR), "prev": _nullable(_STR)}
        ),
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details.",
            "properties": {
                "type": _STR,
                "title": _STR,
                "status": _INT,
                "detail": _STR,
            },
            "required": ["type", "title", "status"],
        },
    }


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }


#: The rate limit's headers, on every answer while limiting is on.
_RATE_HEADERS = {
    "X-RateLimit-Limit": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Requests allowed per period to this client or token.",
    },
    "X-RateLimit-Remaining": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Requests left in the current period.",
    },
    "X-RateLimit-Reset": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "When the count starts again, as a Unix time in seconds.",
    },
}

_CACHE_HEADERS = {
    "ETag": {"schema": _STR, "description": "Strong tag of the body."},
    "Cache-Control": {"schema": _STR},
    **_RATE_HEADERS,
}

#: Every status code an operation may answer besides 200, with its body.
_ERRORS = {
    "304": {"description": "Not modified: the ETag sent in If-None-Match still holds."},
    "400": _problem(
        "A parameter is malformed, out of range or names nothing; `detail` says which."
    ),
    "401": _problem("The bearer token is unknown, revoked or malformed."),
    "404": _problem("No such object, or not one the caller may see."),
    "429": {
        **_problem("Too many requests; try again later."),
        "headers": {
            "Retry-After": {
                "schema": {"type": "integer", "minimum": 0},
                "description": "Seconds until the limit lets this client in again.",
            },
            **_RATE_HEADERS,
        },
    },
}


def _param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


def _repeatable(
    name: str, description: str, values: Sequence[str] | None
) -> dict[str, Any]:
    """Return a repeatable filter naming rows of the directory.

    `values` are the ids and keys that name a row just now: the only values
    the API accepts, so a request valid by this document is never refused
    for naming nothing. None (no database at hand) states the keys' shape.
    """
    if values is None:
        pattern = SHORT_NAME_PATTERN if name == "organisation" else SLUG_PATTERN
        items: dict[str, Any] = {"type": "string", "pattern": pattern}
        schema: dict[str, Any] = {
            "type": "array",
            "items": items,
            "maxItems": MAX_FILTER_VALUES,
        }
    elif values:
        schema = {
            "type": "array",
            "items": {"type": "string", "enum": list(values)},
            "maxItems": MAX_FILTER_VALUES,
        }
    else:
        schema = {"type": "array", "items": _STR, "maxItems": 0}
    return {
        "name": name,
        "in": "query",
        "style": "form",
        "explode": True,
        "schema": schema,
        "description": description,
    }


#: Calendar years a `from`/`to` value may name (the views refuse others).
FIRST_YEAR = 1900
LAST_YEAR = 2199
_YEAR = "(19|20|21)[0-9]{2}"
_DAY = "-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_CLOCK = "[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
#: A `from`/`to` value: an RFC 3339 date or date-time in a year from
#: FIRST_YEAR to LAST_YEAR, at most six fraction digits, the offset required.
_PERIOD_BOUND = {
    "anyOf": [
        {"type": "string", "format": "date", "pattern": f"^{_YEAR}{_DAY}$"},
        {
            "type": "string",
            "format": "date-time",
            "pattern": (
                f"^{_YEAR}{_DAY}{_CLOCK}"
                r"(\.[0-9]{1,6})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
            ),
        },
    ]
}

#: An id or slug in a filter, and an organisation's id or short name: what
#: the filters accept (app.calendar.filters), and nothing else.
SLUG_PATTERN = f"^{SLUG_REGEX}$"
SHORT_NAME_PATTERN = f"^{SHORT_NAME_REGEX}$"

_PAGE_PARAMS = [
    _param(
        "page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        "Page number, from 1.",
    ),
    _param(
        "per_page",
        {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
        "Items per page.",
    ),
]


def _window_params(names: Mapping[str, Sequence[str]] | None) -> list[dict[str, Any]]:
    """Return the period and filter parameters of the lists of calendar objects.

    `names` holds, per filter, the values that name a row (see `_repeatable`).
    """
    return [
        _param(
            "from",
            _PERIOD_BOUND,
            "Start of the period: a date (read in the site's zone), or a "
            "date-time with its UTC offset and at most six fraction digits; "
            f"in a year from {FIRST_YEAR} to {LAST_YEAR}. Before `to`, at most "
            f"{MAX_WINDOW_DAYS} days before it. Entries are matched by their "
            "instants: an all-day event covers its whole days in its own "
            "`timezone`, so one held abroad may reach into a day of the site's "
            "zone it is not dated on.",
        ),
        _param(
            "to",
            _PERIOD_BOUND,
            "End of the period (exclusive; a date includes that whole day), "
            "written as `from` is. After `from`, at most "
            f"{MAX_WINDOW_DAYS} days after it.",
        ),
        _repeatable(
            "initiative",
            "Initiative id or slug; repeat for several (any matches).",
            None if names is None else names["initiative"],
        ),
        _repeatable(
            "organisation",
            "Organisation id or short name; repeat for several (any matches).",
            None if names is None else names["organisation"],
        ),
        _repeatable(
            "theme",
            "Theme id or slug; repeat for several (any matches).",
            None if names is None else names["theme"],
        ),
        {
            "name": "kind",
            "in": "query",
            "style": "form",
            "explode": True,
            "schema": {
                "type": "array",
                "items": {"type": "string", "enum": [k.value for k in EntryKind]},
                "maxItems": MAX_FILTER_VALUES,
            },
            "description": "Kinds of calendar entry; a list of another kind is empty.",
        },
    ]


def _status_param(values: list[str], description: str) -> dict[str, Any]:
    return {
        "name": "status",
        "in": "query",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string", "enum": values}},
        "description": description,
    }


def _list_operation(
    summary: str, item: str, params: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "operationId": f"list_{item}",
            "parameters": params + _PAGE_PARAMS,
            "responses": {
                "200": {
                    "description": "One page of the list.",
                    "headers": {
                        **_CACHE_HEADERS,
                        "Link": {
                            "schema": _STR,
                            "description": "RFC 8288 links to the next and previous pages.",
                        },
                    },
                    "content": {
                        "application/json": {
                            "schema": _object(
                                {
                                    "data": {"type": "array", "items": _ref(item)},
                                    "meta": _ref("Meta"),
                                    "links": _ref("Links"),
                                }
                            )
                        }
                    },
                },
                **_ERRORS,
            },
        }
    }


def _item_operation(summary: str, item: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "operationId": f"get_{item}",
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                }
            ],
            "responses": {
                "200": {
                    "description": "The object.",
                    "headers": _CACHE_HEADERS,
                    "content": {
                        "application/json": {"schema": _object({"data": _ref(item)})}
                    },
                },
                **_ERRORS,
            },
        }
    }


def build_openapi(
    server_url: str, names: Mapping[str, Sequence[str]] | None = None
) -> dict[str, Any]:
    """Return the OpenAPI document, with `server_url` as the API's base.

    `names` maps each filter (initiative, organisation, theme) to the values
    that name a row now; the document then lists them as the only ones.
    """
    window_params = _window_params(names)
    events = [
        *window_params,
        _status_param([s.value for s in EventStatus], "Event status; repeatable."),
    ]
    visits = [
        *window_params,
        _status_param([s.value for s in DelegationStatus], "Visit status; repeatable."),
    ]
    programme = [
        *window_params,
        _status_param(
            [s.value for s in DelegationStatus],
            "Status of the item's visit; repeatable.",
        ),
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vertskap read API",
            "version": "1",
            "description": API_DESCRIPTION,
        },
        "servers": [{"url": server_url}],
        "security": [{}, {"personalToken": []}],
        "paths": {
            "/events": _list_operation("List events", "Event", events),
            "/events/{id}": _item_operation("One event", "Event"),
            "/programme-items": _list_operation(
                "List programme items of visits", "ProgrammeItem", programme
            ),
            "/programme-items/{id}": _item_operation(
                "One programme item", "ProgrammeItem"
            ),
            "/visits": _list_operation("List visits", "Visit", visits),
            "/visits/{id}": _item_operation("One visit", "Visit"),
            "/initiatives": _list_operation("List initiatives", "Initiative", []),
            "/initiatives/{id}": _item_operation("One initiative", "Initiative"),
            "/organisations": _list_operation("List organisations", "Organisation", []),
            "/organisations/{id}": _item_operation("One organisation", "Organisation"),
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "personalToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A personal API token, made and revoked on /api-tokens; "
                        "a calendar feed link's token is refused."
                    ),
                }
            },
        },
    }
