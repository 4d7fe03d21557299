"""The visit export's column headings (English), shared by the export tests."""

from __future__ import annotations

#: The visit page's fields, in its order: what every reader of a visit sees.
VISIT_COLUMNS = [
    "Title",
    "Status",
    "Direction",
    "Arrival",
    "Departure",
    "Time zone",
    "City",
    "Country",
    "Foreign organisations",
    "Head of delegation",
    "Protocol level",
    "Number of people",
    "Host organisation",
    "Co-host organisations",
    "Initiative",
    "Themes",
    "Languages",
]
#: The staff working fields, which only staff see on the page and in exports.
STAFF_COLUMNS = [
    "Needs an interpreter",
    "Visibility",
    "Host contact",
    "Who pays for what",
    "Budget (NOK)",
    "Notes",
]
#: The visit's times once more in one zone, so visits of any zone sort together.
UTC_COLUMNS = ["Arrival (UTC)", "Departure (UTC)"]
