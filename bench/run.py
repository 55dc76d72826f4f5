"""Start-up and search speed of mila against the libraries it cannot avoid.

    python3 bench/run.py              # every row: interleaved runs, judged by CPU time
    python3 bench/run.py --runs 80    # more runs for steadier medians
    python3 bench/run.py --hyperfine  # hyperfine's wall-clock medians instead
    python3 bench/run.py --only 'bookmark|show'  # rows whose name a regex finds; no growth table

Each row times a mila command and its baseline side by side in one run and
compares medians. Prints a Markdown table (also saved to bench/out/results.md) and
exits 1 if any row misses its target. Packs of 10,000 and 100,000 synthetic facts
are made once in bench/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from packs import write_pack  # a sibling module, not a package

from mila_cli.shells import LAUNCH  # what the completion scripts run

OUT = Path(__file__).resolve().parent / "out"
PY = sys.executable


def mila_command() -> list[str]:
    """The installed console script (not a shim in front of it), else python -m."""
    script = Path(sysconfig.get_path("scripts")) / "mila"
    return [str(script)] if script.exists() else [PY, "-m", "mila_cli"]


@dataclass
class Row:
    what: str
    command: list[str]
    baseline: list[str]
    against: str
    target: float
    env: dict[str, str | None]  # None: the variable is unset for the row
    runs: int | None = None  # fewer than --runs, for the slow rows


def naive_floor(pack: Path) -> str:
    """What searching a pack costs the simplest way: json.load of its files and
    rapidfuzz's process.extract over every text."""
    files = sorted(str(p) for p in pack.glob("bench*.json"))
    return (
        "import json, snowballstemmer; from rapidfuzz import process; "
        f"d = [f for p in {files!r} for f in json.load(open(p))]; "
        "process.extract('turing award', [f['text'] for f in d], limit=10)"
    )


def rows(pack_100k: Path, pack_1m: Path | None = None) -> list[Row]:
    """Each command against the imports it really needs (its floor): what it loads and
    could not do without, measured the same way in the same run."""
    mila = mila_command()
    quiet: dict[str, str | None] = {"NO_COLOR": "1"}
    lookup = "import click, json"
    # Where user data lives, as a user without MILA_DATA_DIR finds it (XDG_DATA_HOME,
    # set by main to a folder of the bench's own): platformdirs, which the command imports.
    data_home = "import click, json, platformdirs; platformdirs.user_data_dir('mila', appauthor=False)"
    search_imports = "import click, json, rapidfuzz.process, snowballstemmer"
    complete = {"COMP_WORDS": "mila people jo", "COMP_CWORD": "2", "_MILA_COMPLETE": "bash_complete"}
    extract = naive_floor(pack_100k)
    found = [
        # As the completion scripts start it: the interpreter mila's script names, directly.
        Row(
            "completion: mila people jo<TAB>",
            [PY, "-c", LAUNCH],
            [PY, "-c", "pass"],
            "python -c pass",
            1.5,
            {**quiet, **complete},
        ),
        Row("mila --version", [*mila, "--version"], [PY, "-c", "import click"], "import click", 1.1, quiet),
        Row(
            "mila people bengio --json",
            [*mila, "people", "bengio", "--json"],
            [PY, "-c", lookup],
            "click + json",
            1.1,
            quiet,
        ),
        Row(
            "mila show lisa-founded --json",
            [*mila, "show", "lisa-founded", "--json"],
            [PY, "-c", lookup],
            "click + json",
            1.1,
            quiet,
        ),
        Row(
            "mila bookmark list --json",
            [*mila, "bookmark", "list", "--json"],
            [PY, "-c", data_home],
            "click + json + platformdirs",
            1.1,
            {**quiet, "MILA_DATA_DIR": None},
        ),
        Row(
            "mila bookmark list --json, MILA_DATA_DIR set",
            [*mila, "bookmark", "list", "--json"],
            [PY, "-c", lookup],
            "click + json",
            1.1,
            quiet,
        ),
        # FORCE_COLOR: draw with rich as on a terminal, though the output goes to a pipe.
        Row(
            "mila people (human)",
            [*mila, "people"],
            [PY, "-c", lookup + ", rich.console"],
            "click + json + rich.console",
            1.1,
            {"FORCE_COLOR": "1"},
        ),
        # A search imports rapidfuzz only to mend a word no fact or term holds (a typo).
        Row(
            'mila search "reinforcement learning" --json',
            [*mila, "search", "reinforcement learning", "--json"],
            [PY, "-c", "import click, json, snowballstemmer"],
            "click + json + snowballstemmer",
            1.25,
            quiet,
        ),
        Row(
            'mila search "qui a fondé Mila" --json',
            [*mila, "search", "qui a fondé Mila", "--json"],
            [PY, "-c", "import click, json, snowballstemmer, unicodedata"],
            "click + json + snowballstemmer + unicodedata",
            1.25,
            quiet,
        ),
        Row(
            'mila search "reinforcment lerning" --json (typos)',
            [*mila, "search", "reinforcment lerning", "--json"],
            [PY, "-c", search_imports],
            "click + json + rapidfuzz.process + snowballstemmer",
            1.25,
            quiet,
        ),
        Row(
            'mila search "turing award" --json, 100k facts',
            [*mila, "--facts-dir", str(pack_100k), "search", "turing award", "--json"],
            [PY, "-c", extract],
            "json.load + process.extract(limit=10) + snowballstemmer",
            1.5,
            quiet,
            runs=10,
        ),
    ]
    if pack_1m is None:
        return found
    tab_1m = {**complete, "COMP_WORDS": "mila show bench-9999", "MILA_FACTS_PATH": str(pack_1m)}
    return [
        *found,
        Row(
            'mila search "turing award" --json, 1M facts',
            [*mila, "--facts-dir", str(pack_1m), "search", "turing award", "--json"],
            [PY, "-c", naive_floor(pack_1m)],
            "json.load + process.extract(limit=10) + snowballstemmer",
            0.1,
            quiet,
            runs=3,
        ),
        Row(
            "mila show bench-997 --json, 1M facts",
            [*mila, "--facts-dir", str(pack_1m), "show", "bench-997", "--json"],
            [PY, "-c", "import click"],
            "import click",
            2.0,
            quiet,
            runs=10,
        ),
        Row(
            "completion: mila show bench-9999<TAB>, 1M facts",
            [PY, "-c", LAUNCH],
            [PY, "-c", "pass"],
            "python -c pass",
            3.0,
            {**quiet, **tab_1m},
            runs=10,
        ),
    ]


def _with_env(command: list[str], env: dict[str, str | None]) -> list[str]:
    # Both sides run through env(1), so neither pays for it alone.
    unset = [arg for k, v in env.items() if v is None for arg in ("-u", k)]  # -u: GNU and BSD env alike
    return ["env", *unset, *(f"{k}={v}" for k, v in env.items() if v is not None), *command]


def _run_once(command: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run; CPU is user + system time from wait4."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - start


def time_pair(a: list[str], b: list[str], runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (CPU, wall) seconds of a and of b, over interleaved runs.

    Interleaving puts any drift of the machine on both sides alike. CPU time is the
    verdict: on a virtual machine, wall time also counts the time the host ran
    someone else (steal), which varies by tens of percent from one block to the next.
    """
    samples: tuple[list[tuple[float, float]], list[tuple[float, float]]] = ([], [])
    for i in range(runs + 3):
        # Alternate which goes first, so neither always runs in the other's warm caches.
        order = ((0, a), (1, b)) if i % 2 else ((1, b), (0, a))
        for side, command in order:
            sample = _run_once(command)
            if i >= 3:  # warm-up runs fill the page cache and are not counted
                samples[side].append(sample)

    def medians(side: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(c for c, _ in side), statistics.median(w for _, w in side)

    return medians(samples[0]), medians(samples[1])


def hyperfine_pair(a: list[str], b: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds of a and b by hyperfine (which runs each command's runs in a block)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [
                "hyperfine",
                "-N",
                "--warmup",
                "3",
                "--runs",
                str(runs),
                "--export-json",
                out.name,
                "--style",
                "none",
                shlex.join(a),
                shlex.join(b),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        results = json.loads(Path(out.name).read_text())["results"]
    return results[0]["median"], results[1]["median"]


def median_time(command: list[str], runs: int) -> float:
    return statistics.median(_run_once(command)[1] for _ in range(runs))


def peak_memory_mib(command: list[str]) -> float:
    """Peak resident memory of one run, read from a fresh parent's child accounting."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([PY, "-c", probe, *command], capture_output=True, text=True, check=True)
    return int(done.stdout) / 1024  # Linux reports KiB


BUILD_SECONDS, PEAK_MIB = 180.0, 300.0  # a million facts: the first run, and memory at any time


def grow(packs: dict[int, Path]) -> tuple[list[str], int]:
    """How each cost grows with the pack: the first run (which makes the index) and its
    peak memory, then a search, a show and a TAB with the index made, and a search's
    peak memory. The cache folder is fresh (main), so each pack's first run is cold."""
    mila = mila_command()
    lines = [
        "| facts | first run s | its peak MiB | search ms | show ms | TAB ms | search peak MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    failed = 0
    for count, pack in packs.items():
        search = [*mila, "--facts-dir", str(pack), "search", "turing award", "--json"]
        start = time.perf_counter()
        build_peak = peak_memory_mib(search)
        build = time.perf_counter() - start
        show = [*mila, "--facts-dir", str(pack), "show", "bench-997", "--json"]
        tab = _with_env(
            [PY, "-c", LAUNCH],
            {
                "COMP_WORDS": "mila show bench-9999",
                "COMP_CWORD": "2",
                "_MILA_COMPLETE": "bash_complete",
                "MILA_FACTS_PATH": str(pack),
            },
        )
        searched, shown, tabbed = (median_time(c, 5) for c in (search, show, tab))
        peak = peak_memory_mib(search)
        lines.append(
            f"| {count:,} | {build:.1f} | {build_peak:.0f} | {searched * 1000:.0f} | {shown * 1000:.0f} | "
            f"{tabbed * 1000:.0f} | {peak:.0f} |"
        )
        print(lines[-1], file=sys.stderr)
        if count >= 1_000_000:
            failed += build > BUILD_SECONDS or max(build_peak, peak) > PEAK_MIB
    lines += [
        "",
        f"Targets at a million facts: the first run at most {BUILD_SECONDS:.0f} s, "
        f"memory at most {PEAK_MIB:.0f} MiB at any time.",
    ]
    return lines, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="timed runs per command (default 40)")
    parser.add_argument("--hyperfine", action="store_true", help="time with hyperfine (wall clock) if installed")
    parser.add_argument("--only", metavar="REGEX", help="only the rows whose name REGEX finds; no growth table")
    args = parser.parse_args()
    # Users run a wheel that pip byte-compiled at install; a checkout may have no
    # bytecode (PYTHONDONTWRITEBYTECODE), which would add compile time to every run.
    import mila_cli

    subprocess.run([PY, "-m", "compileall", "-q", str(Path(mila_cli.__file__).parent)], check=True)
    pack_10k = write_pack(OUT / "pack-10000", 10_000)
    pack_100k = write_pack(OUT / "pack-100000", 100_000)
    pack_1m = write_pack(OUT / "pack-1000000", 1_000_000, files=5)  # a file holds at most 64 MiB
    os.environ["MILA_DATA_DIR"] = tempfile.mkdtemp(prefix="mila-bench-")
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="mila-bench-xdg-")
    os.environ["MILA_PAGER"] = ""
    # Packs are read through mila's index, in a fresh folder: made by grow()'s first
    # run on each pack, then warm for the rows. Removed at the end (a million facts: 0.5 GB).
    cache = tempfile.mkdtemp(prefix="mila-bench-cache-")
    os.environ["MILA_CACHE_DIR"] = cache
    # bookmark list reads a file of a few bookmarks, as a person has, wherever it looks.
    kept = {
        "version": 1,
        "bookmarks": [
            {"id": i, "note": None, "added": "2026-11-24T00:00:00Z"} for i in ("iclr", "lisa", "yoshua-bengio")
        ],
    }
    for folder in (Path(os.environ["MILA_DATA_DIR"]), Path(os.environ["XDG_DATA_HOME"], "mila")):
        folder.mkdir(exist_ok=True)
        (folder / "bookmarks.json").write_text(json.dumps(kept), encoding="utf-8")
    use_hyperfine = args.hyperfine and shutil.which("hyperfine") is not None
    how = "hyperfine's wall-clock medians" if use_hyperfine else "medians of interleaved runs; the ratio is of CPU time"
    lines = [
        f"{args.runs} runs each ({how}), Python {sys.version.split()[0]}, {os.cpu_count()} cores.",
        "",
        "| what | against | mila ms (CPU / wall) | baseline ms (CPU / wall) | ratio | target | ok |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    failed = 0
    if args.only is None:
        growth, growth_failed = grow({10_000: pack_10k, 100_000: pack_100k, 1_000_000: pack_1m})
    else:
        growth, growth_failed = [], 0
        print(f"only the rows whose name {args.only!r} finds", file=sys.stderr)
    for row in rows(pack_100k, pack_1m):
        if args.only is not None and not re.search(args.only, row.what):
            continue
        runs = min(row.runs, args.runs) if row.runs else args.runs
        a, b = _with_env(row.command, row.env), _with_env(row.baseline, row.env)
        if use_hyperfine:
            mine_wall, base_wall = hyperfine_pair(a, b, runs)
            ratio, mine_txt, base_txt = mine_wall / base_wall, f"{mine_wall * 1000:.1f}", f"{base_wall * 1000:.1f}"
        else:
            (mine_cpu, mine_wall), (base_cpu, base_wall) = time_pair(a, b, runs)
            ratio = mine_cpu / base_cpu
            mine_txt = f"{mine_cpu * 1000:.1f} / {mine_wall * 1000:.1f}"
            base_txt = f"{base_cpu * 1000:.1f} / {base_wall * 1000:.1f}"
        ok = ratio <= row.target
        failed += not ok
        lines.append(
            f"| {row.what} | {row.against} | {mine_txt} | {base_txt} | {ratio:.2f} | {row.target:.2f} | "
            f"{'yes' if ok else 'NO'} |"
        )
        print(lines[-1], file=sys.stderr)

    lines += ["", *growth]
    failed += growth_failed
    shutil.rmtree(cache, ignore_errors=True)
    report = "\n".join(lines) + "\n"
    OUT.mkdir(exist_ok=True)
    (OUT / "results.md").write_text(report, encoding="utf-8")
    print(report)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
