"""Text helpers with no dependencies: folding for matching, and making text safe to show.

Folding (for matching) and sanitising (for display) are kept here so that every
module agrees on both; nothing here imports rich or rapidfuzz.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

# Every control (Cc), format (Cf), surrogate (Cs), line and paragraph separator
# (Zl, Zp) code point, as of Unicode 14 plus the format controls Unicode 15 added.
# Written out so that start-up does not scan the code space; a test checks it
# still covers whatever Python runs it.
_UNSAFE_CLASS = (
    "\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890-\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)


@functools.cache
def unsafe_pattern() -> re.Pattern[str]:
    """The pattern of every unsafe character, compiled on first use (it costs ~1 ms)."""
    return re.compile(f"[{_UNSAFE_CLASS}]")


# A word: a run of letters and digits. Compiled on first use (re's cache): most runs never split words.
WORD = r"[^\W_]+"


def _visible_escape(match: re.Match[str]) -> str:
    """How an unsafe character is shown: as the escape a programmer would type."""
    ch = match.group()
    if ch in "\n\t":  # they lay out text; they do not drive the terminal
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe(text: str) -> str:
    """Text that cannot drive a terminal: controls and format characters made visible."""
    if text.isprintable():  # every unsafe character is non-printable: nothing to do
        return text
    return unsafe_pattern().sub(_visible_escape, text)


_QUOTED = 60  # characters of what was typed that a message repeats


def quoted(text: str) -> str:
    """What was typed, quoted, on one line and cut short: a message names it, not echoes it."""
    line = one_line(text)
    return f"'{line if len(line) <= _QUOTED else line[: _QUOTED - 1] + '…'}'"


def one_line(text: str) -> str:
    """Safe text on one line with no tabs, so that plain records stay one per line."""
    return safe(text).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _json_escape(match: re.Match[str]) -> str:
    if match.group() == "\n":  # a raw newline is json.dumps's own indentation
        return "\n"
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # astral characters are written as a UTF-16 surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def escape_json_text(dumped: str) -> str:
    """Escape, in text made by json.dumps(ensure_ascii=False), what it leaves raw.

    json.dumps escapes C0 controls in strings itself, so a raw one can only be the
    newline of its indentation; every other unsafe character stands inside a string,
    where \\uXXXX keeps the document valid and the data exact.
    """
    if dumped.isprintable():
        return dumped
    return unsafe_pattern().sub(_json_escape, dumped)


def fold(text: str) -> str:
    """Case- and accent-insensitive form of text: NFKD, no combining marks, casefolded."""
    if text.isascii():
        return text.lower()
    import unicodedata  # only for text beyond ASCII: most lookups never import it

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(folded: str) -> list[str]:
    """The words of already folded text; hyphens, apostrophes and spaces all split."""
    return re.findall(WORD, folded)


def holds(hay: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether a list of words holds a phrase (a list of words) in a row; the phrase
    has at least one word."""
    n = len(phrase)
    first, whole = phrase[0], tuple(phrase)
    return any(hay[i] == first and tuple(hay[i : i + n]) == whole for i in range(len(hay) - n + 1))
