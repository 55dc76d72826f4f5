"""Text helpers with no dependencies: folding for matching, and making text safe to show.

Folding (for matching) and sanitising (for display) are kept here so that every
module agrees on both; nothing here imports rich or rapidfuzz.
"""

from __future__ import annotations

import re
import unicodedata

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
UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
# For display, newline and tab are kept: they lay out text, they do not drive it.
_UNSAFE_ON_SCREEN = re.compile(f"(?![\n\t])[{_UNSAFE_CLASS}]")
# JSON already escapes C0 controls itself; these are the ones it leaves raw.
_UNSAFE_IN_JSON = re.compile(f"(?![\u0000-\u001f])[{_UNSAFE_CLASS}]")

_WORD = re.compile(r"[^\W_]+")


def visible_escape(ch: str) -> str:
    """How an unsafe character is shown: as the escape a programmer would type."""
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe(text: str) -> str:
    """Text that cannot drive a terminal: controls and format characters made visible."""
    return _UNSAFE_ON_SCREEN.sub(lambda m: visible_escape(m.group()), text)


def one_line(text: str) -> str:
    """Safe text on one line with no tabs, so that plain records stay one per line."""
    return safe(text).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # astral characters are written as a UTF-16 surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def escape_json_text(dumped: str) -> str:
    """Escape, in text made by json.dumps(ensure_ascii=False), what it leaves raw.

    Such characters can only stand inside JSON strings, so replacing them with
    \\uXXXX keeps the document valid and the data exact.
    """
    return _UNSAFE_IN_JSON.sub(_json_escape, dumped)


def fold(text: str) -> str:
    """Case- and accent-insensitive form of text: NFKD, no combining marks, casefolded."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(folded: str) -> list[str]:
    """The words of already folded text; hyphens, apostrophes and spaces all split."""
    return _WORD.findall(folded)


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Each word of the original text with its position and its folded form."""
    return [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
