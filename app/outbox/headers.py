"""Header values that stay one header, and a check of the bytes we are about to send.

Python 3.11.7's `email` generator re-folds a header holding an RFC 2047
encoded word such as `=?UTF-8?Q?x=0D=0ABcc:_a@b.c?=` with the decoded line
break in it (CVE-2024-6923, FACTS.md), so a title typed on the public form
could add a `Bcc:` or `Reply-To:`, or a new body, to the mail we send. We do
not rely on the interpreter: every text value put in a header goes through
`header_text` in `set_text_header`, and every message is serialised and read
back by `serialise_checked` before it is stored or sent.

The same generator also breaks ordinary values when it folds them: it may
cut an encoded word in two ("Zürich" became `=?utf-8?q?Z=C3=BC` and
`rich?=`; one in about 300 made-up Norwegian subjects was broken so) or
encode a long URL, which no mail program reads back as a link. So we fold and encode
text values ourselves, and `SEND_POLICY` writes such values as they are.
"""

from __future__ import annotations

import email.errors
import email.policy
import logging
import unicodedata
from collections import Counter
from email.charset import BASE64, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from urllib.parse import quote

logger = logging.getLogger(__name__)

#: How the outbox writes a message: SMTP's CRLF, with the values we folded
#: ourselves (`set_raw`) written as they are instead of folded again.
SEND_POLICY = email.policy.SMTP.clone(refold_source="none")
#: Longest word written as plain ASCII; longer ones are encoded so they can fold.
_LONGEST_PLAIN_WORD = 60
#: RFC 5322's recommended longest line, which the folded headers keep to.
_LINE = 78
#: UTF-8 in base64 encoded words: as good as any for mail programs, and
#: cheaper to fold than letting `Header` pick the shorter encoding each time.
_UTF8 = Charset("utf-8")
_UTF8.header_encoding = BASE64

#: Unicode categories that never belong in a header: control characters
#: (CR, LF, NUL, NEL ...), line and paragraph separators (U+2028, U+2029),
#: and lone surrogates, which cannot be encoded at all.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})


class UnsafeMessageError(ValueError):
    """A message whose serialised form is not the message we built."""


def is_unsafe_char(char: str) -> bool:
    """Return whether `char` could break a header line or cannot be encoded."""
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def header_text(value: str, *, max_length: int | None = None) -> str:
    """Return `value` as safe text for one header: one line, single spaces, no encoded words.

    Control characters and line separators become spaces, runs of white space
    become one space, and every `=?` becomes `= ?`. An RFC 2047 encoded word
    must start with exactly `=?`, so after the space no parser or generator
    decodes anything in the value, while a reader still sees every character
    that was typed, in order (an invisible mark would change what is copied
    and searched, and dropping characters would change the text). Text longer
    than `max_length` is cut and ends with an ellipsis.
    """
    spaced = "".join(" " if is_unsafe_char(char) else char for char in value)
    text = " ".join(spaced.split()).replace("=?", "= ?")
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def set_text_header(message: EmailMessage, name: str, value: str) -> None:
    """Add header `name` holding `value` made safe by `header_text`, folded here.

    Plain ASCII text with no overlong word is folded at its spaces; anything
    else becomes UTF-8 encoded words, each whole, by the `email.header`
    encoder, which (unlike the generator's folder) never splits one.
    """
    text = header_text(value)
    plain = text.isascii() and all(
        len(word) <= _LONGEST_PLAIN_WORD for word in text.split()
    )
    if plain and len(name) + 2 + len(text) <= _LINE:
        message.set_raw(name, text)  # one short line: nothing to fold
        return
    header = Header(text, "us-ascii" if plain else _UTF8, header_name=name)
    message.set_raw(name, header.encode(linesep="\n", maxlinelen=_LINE))


def set_link_header(message: EmailMessage, name: str, url: str) -> None:
    """Add header `name` holding `<url>` on one line, never encoded (RFC 2369).

    A mail program reads the link between the brackets as it is: folded into
    encoded words it is no link at all. Anything but printable ASCII in the
    URL is percent-encoded.
    """
    link = quote(header_text(url), safe="!#$%&'()*+,-./:;=?@[]_~")
    message.set_raw(name, f"<{link}>")


def serialise_checked(message: EmailMessage) -> bytes:
    """Return `message` as the bytes SMTP sends; refuse it if they read back as another message.

    The bytes are written with `SEND_POLICY` and parsed again with it. Any
    header name we did not set, any header set once that appears twice, a
    header whose value changed on the way, or a different part structure
    raises `UnsafeMessageError`: the generator wrote what we never set.
    """
    try:
        raw = message.as_bytes(policy=SEND_POLICY)
    except (ValueError, email.errors.MessageError) as error:
        # UnicodeEncodeError is a ValueError; an interpreter with the CVE fixed
        # raises HeaderWriteError (a MessageError) for a header it would break.
        raise _refused(f"the message cannot be serialised: {error}") from error
    # Read back with compat32, which keeps each header as the text on the
    # wire and is four times faster than the default policy's parser.
    read = BytesParser(policy=email.policy.compat32).parsebytes(raw)
    problem = (
        _name_difference(message, read)
        or _value_difference(message, read)
        or _part_difference(message, read)
    )
    if problem:
        raise _refused(problem)
    return raw


def _part_difference(built: Message, read: Message) -> str:
    """Return how the parts of `read` differ from those of `built`, or ""."""
    built_parts, read_parts = list(built.walk()), list(read.walk())
    if [part.get_content_type() for part in read_parts] != [
        part.get_content_type() for part in built_parts
    ]:
        return "its serialised parts differ from the parts built"
    for built_part, read_part in zip(built_parts[1:], read_parts[1:], strict=True):
        problem = _name_difference(built_part, read_part)
        if problem:
            return f"a part: {problem}"
    return ""


def _name_difference(built: Message, read: Message) -> str:
    """Return how the header names of `read` differ from those of `built`, or ""."""
    set_names, read_names = (
        Counter(name.lower() for name in part) for part in (built, read)
    )
    added = sorted(set(read_names) - set(set_names))
    if added:
        return f"its serialised header block holds headers we did not set: {', '.join(added)}"
    repeated = sorted(name for name in set_names if read_names[name] > set_names[name])
    if repeated:
        return (
            f"its serialised header block repeats headers we set: {', '.join(repeated)}"
        )
    lost = sorted((set_names - read_names).elements())
    if lost:
        return "headers we set are missing once serialised: " + ", ".join(lost)
    return ""


def _value_difference(built: Message, read: Message) -> str:
    """Return which top-level headers of `read` say other than those of `built`, or ""."""
    built_values, read_values = _raw_values(built), _raw_values(read)
    changed = sorted(
        name
        for name, values in built_values.items()
        if len(values) != len(read_values.get(name, []))
        or not all(
            _same_value(name, ours, theirs)
            for ours, theirs in zip(values, read_values[name], strict=True)
        )
    )
    if changed:
        return "headers changed once serialised: " + ", ".join(changed)
    return ""


def _raw_values(message: Message) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        values.setdefault(name.lower(), []).append(value)
    return values


def _same_value(name: str, ours: str, theirs: str) -> bool:
    """Return whether the value we set reads back as `theirs`, the text on the wire.

    The same text with the generator's line breaks is the same value; only
    otherwise are both decoded and compared, which costs far more.
    """
    if "\r\n".join(str(ours).splitlines()) == theirs:
        return True
    return str(SEND_POLICY.header_fetch_parse(name, ours)) == str(
        SEND_POLICY.header_fetch_parse(name, theirs)
    )


def _refused(reason: str) -> UnsafeMessageError:
    logger.error("refused an unsafe message: %s", reason)
    return UnsafeMessageError(f"unsafe message refused: {reason}")
