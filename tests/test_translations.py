"""Every string the app shows has a Norwegian translation with the same placeholders."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            # Babel skips folders starting with "_" by default: templates/_macros too.
            "--ignore-dirs",
            ".* __pycache__ node_modules",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def norwegian():
    with (ROOT / "translations/nb/LC_MESSAGES/messages.po").open("rb") as fh:
        return read_po(fh)


def _key(message):
    return message.id if isinstance(message.id, str) else tuple(message.id)


def test_every_string_in_the_code_has_a_norwegian_translation(extracted, norwegian):
    translated = {
        _key(m): m for m in norwegian if m.id and m.string and "fuzzy" not in m.flags
    }

    missing = sorted(
        str(_key(m)) for m in extracted if m.id and _key(m) not in translated
    )

    assert missing == [], "run `make messages` and translate these in translations/nb"


def test_translations_keep_every_placeholder(norwegian):
    broken = []
    for message in norwegian:
        if not message.id or not message.string:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        targets = (
            [message.string]
            if isinstance(message.string, str)
            else list(message.string)
        )
        expected = set(PLACEHOLDER.findall(sources[-1]))
        broken += [
            t
            for t in targets
            if set(PLACEHOLDER.findall(t)) - expected
            or (len(targets) == 1 and set(PLACEHOLDER.findall(t)) != expected)
        ]

    assert broken == []
