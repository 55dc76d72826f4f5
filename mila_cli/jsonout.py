"""JSON output: exact, UTF-8, and safe to print, written straight to stdout (never via rich)."""

from __future__ import annotations

import json
import sys
from typing import Any

from mila_cli.text import escape_json_text


def dumps(data: Any, *, pretty: bool = False) -> str:
    """JSON text with names as written (Joëlle) and every control or format character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2 if pretty else None)
    return escape_json_text(text) + "\n"


def write(data: Any) -> None:
    """Print data as JSON: pretty on a terminal, one line in a pipe; always UTF-8.

    JSON is UTF-8 by definition, so it is written as bytes whatever the locale
    says (LC_ALL=C or PYTHONIOENCODING=ascii must not mangle a name).
    """
    out = sys.stdout
    encoded = dumps(data, pretty=out.isatty()).encode("utf-8")
    buffer = getattr(out, "buffer", None)
    if buffer is None:  # a text-only stream, as some embedders give
        out.write(encoded.decode("utf-8"))
    else:
        out.flush()
        buffer.write(encoded)
        buffer.flush()
