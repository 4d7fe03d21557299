"""One filter for everything typed or sent to us: no control character reaches the database.

PostgreSQL refuses NUL in text (a 500), SQLite stores it, and both keep the
other control characters raw, to resurface in pages, feeds, exports and mail.
They are invisible, so they are removed silently rather than refused with a
message nobody could act on. TAB stays everywhere; LF stays in multi-line text,
where CRLF and a lone CR become LF (browsers send CRLF from a text area, while
stored text has LF: a compare view would otherwise see every line as changed).

Three hooks apply it, all installed by `install_input_filters`:

- `InputRequest`: every query-string key and value (single-line) and every
  posted form value (multi-line: which field is which is the form's business),
  whoever reads them, a form or a view;
- `app.core.forms.FlaskForm`: each text field by its kind, so a single-line
  field also loses LF, whatever fed the form;
- the URL converters: an `<int:...>` past what an id column holds, or a path
  segment with a control character, matches no route (a 404), instead of
  reaching the database as an integer overflow or a NUL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import IO, Any

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.formparser import FormDataParser
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter, ValidationError
from werkzeug.utils import cached_property

#: The largest id a path may carry: our id columns are INTEGER, 32 bits on PostgreSQL.
MAX_ID = 2**31 - 1

#: Unicode category Cc (C0, DEL and C1) but TAB: what single-line text loses.
_LINE_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
#: The same but LF too: what multi-line text loses once its breaks are LF.
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAKS = re.compile("\r\n?")


def clean_line(value: str) -> str:
    """Return single-line `value` without its control characters, TAB kept."""
    return _LINE_CONTROLS.sub("", value)


def clean_text(value: str) -> str:
    """Return multi-line `value` with LF line breaks and no other control character but TAB."""
    return _TEXT_CONTROLS.sub("", _BREAKS.sub("\n", value))


def _cleaned_pairs(
    pairs: Iterable[tuple[str, Any]], clean: Callable[[str], str]
) -> list[tuple[str, Any]]:
    return [
        (clean_line(key), clean(value) if isinstance(value, str) else value)
        for key, value in pairs
    ]


class _InputFormDataParser(FormDataParser):
    def parse(
        self,
        stream: IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str] | None = None,
    ) -> tuple[IO[bytes], MultiDict[str, Any], MultiDict[str, Any]]:
        stream, form, files = super().parse(stream, mimetype, content_length, options)
        return (
            stream,
            self.cls(_cleaned_pairs(form.items(multi=True), clean_text)),
            files,
        )


class InputRequest(Request):
    """A request whose query string and form values come without control characters."""

    form_data_parser_class = _InputFormDataParser

    @cached_property
    def args(self) -> MultiDict[str, str]:
        raw = super().args
        return ImmutableMultiDict(_cleaned_pairs(raw.items(multi=True), clean_line))


def digits_up_to(limit: int) -> str:
    """Return a regex matching the decimal numbers from 0 to `limit`, at most as long as it."""
    top = str(limit)
    shorter = [rf"\d{{1,{len(top) - 1}}}"] if len(top) > 1 else []
    # Same length: equal to `top` up to some digit, then smaller there.
    smaller = [
        f"{top[:i]}[0-{int(digit) - 1}]" + rf"\d{{{len(top) - i - 1}}}"
        for i, digit in enumerate(top)
        if digit != "0"
    ]
    return f"(?:{'|'.join([*shorter, *smaller, top])})"


class IdConverter(IntegerConverter):
    """`<int:...>` that matches only what an id column holds.

    The bound is in the regex, not only in `to_python`: Werkzeug checks
    converters after it has picked a rule, so a refused value there would turn
    into a 405 where another rule has the same path with another method.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.max = MAX_ID if self.max is None else min(self.max, MAX_ID)
        self.regex = ("-?" if self.signed else "") + digits_up_to(self.max)


class TextConverter(UnicodeConverter):
    """A path segment (`<name>`, `<string:name>`) without control characters."""

    def to_python(self, value: str) -> str:
        if clean_line(value) != value:
            raise ValidationError()
        return value


def install_input_filters(app: Flask) -> None:
    """Make `app` read requests through the filter, and route ids and segments by it.

    Call it before any blueprint is registered: a rule takes its converters when added.
    """
    app.request_class = InputRequest
    app.url_map.converters.update(
        {"int": IdConverter, "default": TextConverter, "string": TextConverter}
    )
