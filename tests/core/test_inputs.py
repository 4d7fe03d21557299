"""The shared input filter: control characters out, TAB and multi-line LF kept (issue 14).

None of this touches the database: one app without a database serves the module.
"""

from __future__ import annotations

import io
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import flask_wtf
import pytest
from flask import Flask, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from wtforms import IntegerField, PasswordField, StringField, TextAreaField

from app.core.forms import FlaskForm, strip_filter
from app.core.inputs import MAX_ID, IdConverter, clean_line, clean_text, digits_up_to
from tests.fixtures.database import make_app

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    path: Path = tmp_path_factory.mktemp("inputs") / "unused.db"
    return make_app(f"sqlite:///{path}")


@pytest.fixture
def app_context(plain_app: Flask) -> Iterator[None]:
    with plain_app.app_context():
        yield


#: Every character but the surrogates, which no decoded request can hold.
EVERY_CHARACTER = "".join(
    chr(point) for point in range(sys.maxunicode + 1) if not 0xD800 <= point <= 0xDFFF
)
CONTROLS = {ch for ch in EVERY_CHARACTER if unicodedata.category(ch) == "Cc"}


def _removed_by(clean: Callable[[str], str]) -> set[str]:
    return set(EVERY_CHARACTER) - set(clean(EVERY_CHARACTER))


def test_clean_line_removes_exactly_the_control_characters_but_tab() -> None:
    assert _removed_by(clean_line) == CONTROLS - {"\t"}


def test_clean_text_removes_exactly_the_control_characters_but_tab_and_breaks() -> None:
    # A lone CR is not lost but becomes LF.
    assert _removed_by(clean_text) == CONTROLS - {"\t", "\n"}
    assert "\r" not in clean_text(EVERY_CHARACTER)


@pytest.mark.parametrize(
    ("raw", "line", "text"),
    [
        ("Nordens\x00 dag", "Nordens dag", "Nordens dag"),
        ("a\tb", "a\tb", "a\tb"),
        ("one\r\ntwo\rthree\nfour", "onetwothreefour", "one\ntwo\nthree\nfour"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m", "[31mred[0m"),
        ("bell\x07 del\x7f c1\x85\x9f", "bell del c1", "bell del c1"),
        (
            "Trøndelag \u2028 ≠ \u200b",
            "Trøndelag \u2028 ≠ \u200b",
            "Trøndelag \u2028 ≠ \u200b",
        ),
        ("\r\n\r\n", "", "\n\n"),
    ],
)
def test_clean_line_and_clean_text_give_the_cleaned_text(
    raw: str, line: str, text: str
) -> None:
    assert (clean_line(raw), clean_text(raw)) == (line, text)


class _Probe(FlaskForm):
    title = StringField(filters=[strip_filter])
    notes = TextAreaField(filters=[strip_filter])
    password = PasswordField()
    count = IntegerField()


def test_form_text_fields_are_cleaned_by_kind_before_their_own_filters(
    app_context: None,
) -> None:
    form = _Probe(
        formdata=MultiDict(
            {
                "title": "\x00 Kyiv\r\n mayor\t",
                "notes": "\x0b line one\r\nline\x00 two\r ",
                "password": "pass\x00word\n",
                "count": "12",
            }
        ),
        meta={"csrf": False},
    )

    assert (
        form.title.data,
        form.notes.data,
        form.password.data,
        form.count.data,
    ) == ("Kyiv mayor", "line one\nline two", "password", 12)


def test_form_cleans_the_object_it_is_loaded_from(app_context: None) -> None:
    class Row:
        title = "Old\x00 title"
        notes = "stored\r\nwith CRLF"

    form = _Probe(obj=Row(), meta={"csrf": False})

    assert (form.title.data, form.notes.data) == ("Old title", "stored\nwith CRLF")


def test_every_form_of_the_app_derives_from_the_filtering_base(
    plain_app: Flask,
) -> None:
    def subclasses(cls: type) -> set[type]:
        direct = set(cls.__subclasses__())
        return direct.union(*(subclasses(sub) for sub in direct))

    ours = {
        cls
        for cls in subclasses(flask_wtf.FlaskForm)  # noqa: TID251 -- walks its subclasses
        if cls.__module__.startswith("app.")
    }

    assert len(ours) > 30
    assert {cls for cls in ours if not issubclass(cls, FlaskForm)} == set()


def test_query_string_and_form_values_arrive_cleaned(plain_app: Flask) -> None:
    with plain_app.test_request_context(
        "/visits/?q=harb%00our%0A&k%01ey=%1Bv&tab=a%09b",
        method="POST",
        data={"notes": "one\r\ntwo\x00\rthree", "ti\x00tle": "x\x07y"},
    ):
        assert (request.args.to_dict(flat=False), request.form.to_dict(flat=False)) == (
            {"q": ["harbour"], "key": ["v"], "tab": ["a\tb"]},
            {"notes": ["one\ntwo\nthree"], "title": ["xy"]},
        )


def test_files_stay_untouched_beside_cleaned_form_values(plain_app: Flask) -> None:
    with plain_app.test_request_context(
        "/",
        method="POST",
        data={"name": "a\x00b", "file": (io.BytesIO(b"x\x00\r\ny"), "list.csv")},
    ):
        assert (request.form["name"], request.files["file"].read()) == (
            "ab",
            b"x\x00\r\ny",
        )


def _match(app: Flask, path: str) -> tuple[str, dict[str, object]] | None:
    try:
        return app.url_map.bind("vertskap.test").match(path)
    except NotFound:
        return None


def test_id_routes_match_up_to_the_largest_id_only(plain_app: Flask) -> None:
    assert [
        _match(plain_app, f"/events/{event_id}")
        for event_id in (1, MAX_ID, MAX_ID + 1, 2**63, 10**30)
    ] == [
        ("events.show_event", {"event_id": 1}),
        ("events.show_event", {"event_id": MAX_ID}),
        None,
        None,
        None,
    ]
    assert _match(plain_app, "/events/" + "9" * 5000) is None


@pytest.mark.parametrize("limit", [0, 7, 10, 99, 100, 305, 2000, MAX_ID])
def test_digits_up_to_matches_exactly_the_numbers_up_to_the_limit(limit: int) -> None:
    pattern = re.compile(digits_up_to(limit))
    numbers = [*range(2100), limit, limit + 1, limit * 10 + 9, MAX_ID, MAX_ID + 1]
    texts = [f"{n}" for n in numbers] + [f"0{n}" for n in range(100)]

    assert {text for text in texts if pattern.fullmatch(text)} == {
        text for text in texts if int(text) <= limit and len(text) <= len(str(limit))
    }


def test_an_explicit_larger_maximum_is_still_capped() -> None:
    urls = Map(
        [Rule("/n/<int(max=99999999999):n>", endpoint="n")],
        converters={"int": IdConverter},
    ).bind("vertskap.test")

    assert urls.match(f"/n/{MAX_ID}") == ("n", {"n": MAX_ID})
    with pytest.raises(NotFound):
        urls.match(f"/n/{MAX_ID + 1}")


def test_path_segments_with_control_characters_match_no_route(
    plain_app: Flask,
) -> None:
    assert [
        _match(plain_app, path)
        for path in (
            "/action-programme/2011-2012",
            "/action-programme/2011\x00-2012",
            "/action-programme/2011\x1b-2012",
            "/submissions/confirm/abc\x7fdef",
        )
    ] == [
        ("action_programme.show_matrix", {"period": "2011-2012"}),
        None,
        None,
        None,
    ]
