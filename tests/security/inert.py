"""Check that HTML is inert: parse it as a browser would and list what is live."""

from __future__ import annotations

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
        if tag in _LIVE_TAGS and any(
            m in (value or "") for _, value in attrs for m in payload_markers
        ):
            found.append(f"<{tag}>")
    found.extend(_live_script_bodies(html, payload_markers))
    return found


def _live_script_bodies(html: str, markers: tuple[str, ...]) -> list[str]:
    class _Scripts(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.inside: str | None = None
            self.bodies: list[str] = []

        def handle_starttag(
            self, tag: str, attrs: list[tuple[str, str | None]]
        ) -> None:
            if tag in {"script", "style"}:
                self.inside = tag

        def handle_endtag(self, tag: str) -> None:
            if tag == self.inside:
                self.inside = None

        def handle_data(self, data: str) -> None:
            if self.inside and any(m in data for m in markers):
                self.bodies.append(f"<{self.inside}>{data}")

    parser = _Scripts()
    parser.feed(html)
    parser.close()
    return parser.bodies
