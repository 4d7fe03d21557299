"""Check that HTML is inert: parse it as a browser would and list what is live."""

from __future__ import annotations

import json
from html.parser import HTMLParser

#: Schemes a link or form of ours may point to.
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#", "?", "webcal://")
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcdoc"}
_LIVE_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "base", "meta"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def live_markup(
    html: str,
    *,
    payload_markers: tuple[str, ...] = ("alert(1)", "msgbox(1)", "xss.example"),
) -> list[str]:
    """Return every tag or attribute in `html` that could run a payload.

    Our own pages have scripts and links; what counts is markup that carries a
    payload: an event-handler attribute, a dangerous URL, or a live tag whose
    content or attributes contain a payload marker.
    """
    collector = _Collector()
    collector.feed(html)
    collector.close()
    found = []
    for tag, attrs in collector.tags:
        for name, value in attrs:
            text = (value or "").strip()
            if name.startswith("on"):
                found.append(f"<{tag} {name}={text!r}>")
            elif name in _URL_ATTRIBUTES and text:
                lowered = "".join(text.split()).lower()
                if lowered.startswith(("javascript:", "vbscript:", "data:text")):
                    found.append(f"<{tag} {name}={text!r}>")
            elif name == "style" and any(m in text for m in payload_markers):
                found.append(f"<{tag} style={text!r}>")
        if _is_data_meta(tag, attrs):
            # <meta name="description" content="..."> only holds text; a meta
            # acts (refresh, policy, cookie) through http-equiv alone.
            continue
        if tag in _LIVE_TAGS and any(
            m in (value or "") for _, value in attrs for m in payload_markers
        ):
            found.append(f"<{tag}>")
    found.extend(_live_script_bodies(html, payload_markers))
    return found


def _is_data_meta(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    return tag == "meta" and all(name != "http-equiv" for name, _ in attrs)


def _is_inert_json(body: str) -> bool:
    """Return whether a JSON-LD block is data a browser never runs and that cannot end early.

    It must parse as JSON and hold no "<" at all (Flask's tojson writes \u003c),
    so no "</script>" in a value can close the block and open a live one.
    """
    if "<" in body:
        return False
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _live_script_bodies(html: str, markers: tuple[str, ...]) -> list[str]:
    class _Scripts(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.inside: str | None = None
            self.json_ld: list[str] | None = None
            self.bodies: list[str] = []

        def handle_starttag(
            self, tag: str, attrs: list[tuple[str, str | None]]
        ) -> None:
            if tag == "script" and dict(attrs).get("type") == "application/ld+json":
                self.json_ld = []
            elif tag in {"script", "style"}:
                self.inside = tag

        def handle_endtag(self, tag: str) -> None:
            if tag == "script" and self.json_ld is not None:
                body = "".join(self.json_ld)
                self.json_ld = None
                if not _is_inert_json(body):
                    self.bodies.append(f"<script ld+json>{body}")
            elif tag == self.inside:
                self.inside = None

        def handle_data(self, data: str) -> None:
            if self.json_ld is not None:
                self.json_ld.append(data)
            elif self.inside and any(m in data for m in markers):
                self.bodies.append(f"<{self.inside}>{data}")

    parser = _Scripts()
    parser.feed(html)
    parser.close()
    return parser.bodies
