"""Deterministic synthetic fact packs for the benchmark: n facts, valid, varied, reproducible."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

_SYLLABLES = [
    *["ba", "ke", "lo", "mi", "nu", "ra", "se", "ti", "vo", "za"],
    *["dre", "gla", "pri", "stu", "quo", "len", "mar", "tor", "vin", "sel"],
]
_CATEGORIES = ["people", "history", "areas", "research", "software", "notes"]
_GROUPS = ["key research area", "research topic", "expertise", "application"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def make_facts(n: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    vocabulary = [_word(rng) for _ in range(5000)] + ["learning", "deep", "network", "Montréal", "research"]
    facts = []
    for i in range(n):
        category = _CATEGORIES[i % len(_CATEGORIES)]
        words = rng.choices(vocabulary, k=rng.randint(12, 25))
        if i % 997 == 0:  # a few facts that the benchmark's query should find
            words[3:3] = ["won", "the", "Turing", "Award"]
        sentence = " ".join(words)
        fact: dict[str, Any] = {
            "id": f"bench-{i}",
            "category": category,
            "text": sentence[0].upper() + sentence[1:] + ".",  # not capitalize(): it lowercases the rest
            "source": "bench-synthetic",
        }
        if category == "people":
            fact["name"] = f"{_word(rng).title()} {_word(rng).title()}"
            fact["roles"] = [_word(rng)]
        elif category == "areas":
            fact["name"] = _word(rng).title()
            fact["group"] = _GROUPS[i % len(_GROUPS)]
        elif category == "history":
            fact["year"] = 1900 + i % 126
        if i % 5 == 0:
            fact["tags"] = rng.sample(vocabulary, 2)
        facts.append(fact)
    return facts


SOURCES = [{"id": "bench-synthetic", "title": "Synthetic benchmark pack", "kind": "generated text"}]


def write_pack(folder: Path, n: int, files: int = 1) -> Path:
    """A pack folder holding n facts in `files` files (bench.json, or bench-1.json ...) and
    the source they cite (made once, then reused). A million facts take five files: one
    file may hold at most 64 MiB."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ["bench.json"] if files == 1 else [f"bench-{k + 1}.json" for k in range(files)]
    if not all((folder / name).exists() for name in names):
        facts = make_facts(n)
        share = -(-n // files)
        for k, name in enumerate(names):
            part = facts[k * share : (k + 1) * share]
            (folder / name).write_text(json.dumps(part, ensure_ascii=False), encoding="utf-8")
    (folder / "sources.json").write_text(json.dumps(SOURCES), encoding="utf-8")
    return folder
