"""Why a search found nothing, and what to try next: one line, in the words as typed.

Core code: it returns the message; the click layer shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mila_cli.text import fold, quoted, words

if TYPE_CHECKING:
    from mila_cli.search import Outcome, SearchIndex

BROWSE = "browse with 'mila facts', 'mila areas' or 'mila people'"
_LISTED = 5  # unknown words named in a message; more are counted
_SUGGESTED = 3  # unknown words that get close words suggested (each looks at every word)


def no_answer(index: SearchIndex, outcome: Outcome, text: str) -> str:
    """Why nothing answered the query text, and what to do next."""
    from mila_cli.names import Nearness

    typed = _as_typed(text)
    unknown = [typed(w) for w in outcome.unknown]
    listed = ", ".join(quoted(w) for w in unknown[:_LISTED])
    if len(unknown) > _LISTED:
        listed += f" and {len(unknown) - _LISTED} more"
    query = outcome.query
    hint = ""
    if outcome.reason == "now":
        reason = f"no fact can answer {quoted(text)}: the documents are undated, so they cannot say what is true now"
        hint = "; ask without 'now' or 'today' to see what they say"
    elif outcome.reason == "attribute":
        reason = f"no fact gives {listed}"
        hint = f"; search without {listed} to see what the facts say"
    elif outcome.reason == "duration":
        reason = f"no fact says how long anything takes ({quoted(text)})"
    elif unknown:
        reason = f"no fact mentions {listed}"
        nearness = Nearness(index.suggestible)
        asked = set(outcome.unknown)
        near = [w for u in outcome.unknown[:_SUGGESTED] for w in nearness.closest(u, limit=2) if w not in asked]
        hint = f"; close words: {', '.join(dict.fromkeys(near))}" if near else ""
    elif outcome.common:
        common = [quoted(typed(w)) for w in outcome.common[:_LISTED]]
        reason = f"{', '.join(common)} {'is' if len(common) == 1 else 'are'} in too many facts to pick any by"
        hint = "; add a rarer word"
    elif query.intent == "expand" and query.subject:
        reason = f"no fact says what {quoted(typed(' '.join(query.subject)))} stands for"
    elif query.terms:
        reason = f"no fact answers {quoted(text)}"
    else:
        reason = f"{quoted(text)} has no words to search for"
    return f"{reason}{hint}; {BROWSE}"


def _as_typed(text: str) -> Callable[[str], str]:
    """A way back from search's folded words to the words as typed ('gpus' to 'GPUs')."""
    raw = text.split()
    folded = [" ".join(words(fold(w))) for w in raw]

    def typed(label: str) -> str:
        n = len(label.split())
        for i in range(len(raw) - n + 1):
            if " ".join(folded[i : i + n]) == label:
                return " ".join(raw[i : i + n]).strip("'\"?!.,;:()«»“”")
        return label

    return typed
