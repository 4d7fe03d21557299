"""QR codes of feed links, drawn on the server as inline SVG (segno), for phones to scan."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str) -> Markup:
    """Return an inline SVG QR code of `data`, to be sized by CSS.

    Dark modules on a white ground with the four-module quiet zone the
    standard asks for, so a phone reads it in a dark theme too. Error level M
    survives a smudged screen. The SVG holds path data only, never `data` as
    text, so it is safe to put in a page as it is.
    """
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="feed-qr__svg",
        lineclass=None,
    )
    return Markup(svg)  # noqa: S704 -- segno's own markup: path data, no text of ours
