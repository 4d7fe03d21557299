"""Read an edit page as a browser sees it: the form it would send back, and the conflict table."""

from __future__ import annotations

from html.parser import HTMLParser

#: A form's controls as a browser sends them: a multi-select or check boxes give a list.
FormData = dict[str, str | list[str]]


class _EditFormParser(HTMLParser):
    """Collect the controls of every <form> and the rows of the conflict table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[FormData] = []
        self.rows: list[tuple[str, str, str, str]] = []
        self._form: FormData | None = None
        self._select: tuple[str, bool] | None = None
        self._textarea: str | None = None
        self._row: list[str] | None = None
        self._row_class = ""
        self._cell: list[str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and "name" in a:
            self._input(a)
        elif tag == "select" and self._form is not None:
            self._select = (a["name"], "multiple" in a)
            if "multiple" in a:
                self._form[a["name"]] = []
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select[0], a.get("value", ""), many=self._select[1])
        elif tag == "textarea" and self._form is not None:
            self._textarea, self._text = a["name"], []
        elif tag == "tr" and a.get("class", "").startswith("conflict--"):
            self._row, self._row_class = [], a["class"].removeprefix("conflict--")
        elif tag in {"th", "td"} and self._row is not None:
            self._cell = []

    def _input(self, a: dict[str, str]) -> None:
        kind = a.get("type", "text")
        if kind in {"submit", "button"} or a["name"] == "csrf_token":
            return
        if kind in {"checkbox", "radio"}:
            if "checked" in a:
                self._add(a["name"], a.get("value", "y"), many=kind == "checkbox")
            return
        self._add(a["name"], a.get("value", ""), many=False)

    def _add(self, name: str, value: str, *, many: bool) -> None:
        if self._form is None:
            return
        if many:
            kept = self._form.setdefault(name, [])
            if isinstance(kept, list):
                kept.append(value)
        else:
            self._form[name] = value

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif (
            tag == "textarea" and self._textarea is not None and self._form is not None
        ):
            # A browser reads CRLF as LF and drops the line break that opens a <textarea>.
            text = "".join(self._text).replace("\r\n", "\n").replace("\r", "\n")
            self._form[self._textarea] = text.removeprefix("\n")
            self._textarea = None
        elif tag in {"th", "td"} and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            label, theirs, yours, _holds = self._row
            self.rows.append((label, theirs, yours, self._row_class))
            self._row = None


def _parsed(html: str) -> _EditFormParser:
    parser = _EditFormParser()
    parser.feed(html)
    return parser


def edit_form(html: str) -> FormData:
    """Return the page's edit form (the one carrying a version) as a browser would send it."""
    (form,) = [form for form in _parsed(html).forms if "version" in form]
    return form


def conflict_rows(html: str) -> list[tuple[str, str, str, str]]:
    """Return the conflict table: (field, theirs, what was typed, whose value the form holds)."""
    return _parsed(html).rows
