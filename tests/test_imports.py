"""What each path imports: the JSON and completion paths never pay for rich (not a timing test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_PROBE = """
import io, json, sys
from mila_cli.cli import cli
sys.argv = ["mila", *json.loads(sys.argv[1])]
sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
try:
    cli.main(prog_name="mila")
except SystemExit:
    pass
sys.__stdout__.write(json.dumps(sorted(sys.modules)))
"""


def _modules(args: list[str], **env: str) -> set[str]:
    """Full module names imported by a run of mila with these arguments."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        # Not under coverage: its tracer would be counted among mila's imports.
        env={**{k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}, **env},
        timeout=60,
        check=True,
    )
    return set(json.loads(done.stdout))


def _imported(args: list[str], **env: str) -> set[str]:
    """The top-level packages imported by a run."""
    return {m.split(".")[0] for m in _modules(args, **env)}


@pytest.mark.parametrize(
    "args",
    [
        ["facts", "--json"],
        ["show", "iclr", "--json"],
        ["people", "bengio", "--json"],
        ["history", "--json"],
        ["areas", "--json"],
        ["search", "lisa", "--json"],
        ["bookmark", "list", "--json"],
        ["--version"],
    ],
)
def test_json_paths_do_not_import_rich(args: list[str]) -> None:
    assert "rich" not in _imported(args)


def test_plain_text_in_a_pipe_does_not_import_rich() -> None:
    assert "rich" not in _imported(["people"])


def test_exact_name_needs_no_rapidfuzz() -> None:
    assert "rapidfuzz" not in _imported(["people", "bengio", "--json"])


def test_only_bookmarks_import_platformdirs_and_filelock() -> None:
    loaded = _imported(["search", "lisa", "--json"])
    assert "platformdirs" not in loaded and "filelock" not in loaded


def test_completion_path_imports_neither_rich_nor_rapidfuzz() -> None:
    loaded = _imported([], COMP_WORDS="mila people jo", COMP_CWORD="2", _MILA_COMPLETE="bash_complete")
    assert "rich" not in loaded and "rapidfuzz" not in loaded
    assert "mila_cli" in loaded and "click" in loaded


@pytest.mark.parametrize(
    ("args", "env"),
    [
        ([], {"COMP_WORDS": "mila people jo", "COMP_CWORD": "2", "_MILA_COMPLETE": "bash_complete"}),
        (["--version"], {}),
        (["facts", "--json"], {}),
        (["people", "bengio", "--json"], {}),
    ],
)
def test_vocabulary_and_stemmer_load_only_to_search_or_look_a_name_up(args: list[str], env: dict[str, str]) -> None:
    loaded = _modules(args, **env)
    assert not {"snowballstemmer", "Stemmer", "mila_cli.vocabulary", "mila_cli.prepared"} & loaded
    assert "pathlib" not in loaded  # a few milliseconds on every TAB


def test_search_loads_the_stemmer_and_the_prepared_data() -> None:
    loaded = _modules(["search", "lisa", "--json"])
    assert {"snowballstemmer", "mila_cli.vocabulary", "mila_cli.prepared"} <= loaded


def test_the_probe_can_see_rich_when_it_is_used() -> None:
    assert "rich" in _imported(["people"], FORCE_COLOR="1")


# mila ends with os._exit (program._leave): a probe reports from there.
_AT_EXIT = """
def at_exit(report, leave=os._exit):
    def report_and_leave(code):
        report()
        sys.stderr.flush()
        leave(code)
    return report_and_leave
"""


def _bare(args: list[str]) -> set[str]:
    """The modules a run imports, started as the console script starts it (no json of the probe's)."""
    probe = (
        "import os, sys\n"
        f"sys.argv = ['mila', *{args!r}]\n"
        "import mila_cli\n"
        f"{_AT_EXIT}"
        "os._exit = at_exit(lambda: sys.stderr.write(' '.join(sorted(sys.modules))))\n"
        "mila_cli.main()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    return set(done.stderr.split())


def test_version_imports_neither_json_nor_the_facts() -> None:
    found = _bare(["--version"])
    assert "mila_cli.program" in found
    assert not {"json", "mila_cli.facts", "mila_cli.completion", "sqlite3"} & found


def test_a_lookup_without_packs_imports_no_pack_index() -> None:
    found = _bare(["show", "iclr", "--json"])
    assert "mila_cli.facts" in found and not {"mila_cli.packindex", "sqlite3", "unicodedata"} & found


_GC_PROBE = (
    """
import gc, json, os, sys
import mila_cli
from mila_cli import app
"""
    + _AT_EXIT
    + """

seen = []
made = app.App.__init__


def spy(self, *args, **kwargs):
    seen.append({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()})
    made(self, *args, **kwargs)


app.App.__init__ = spy
sys.argv = ["mila", "sources", "--json"]
os._exit = at_exit(lambda: sys.stderr.write(json.dumps(seen)))
mila_cli.main()
"""
)


def test_the_collector_is_on_for_the_command_with_start_up_frozen() -> None:
    """Start-up runs with the garbage collector off (speed: bench/run.py); the command
    itself, which may read a pack of a million facts, runs with it on, and what start-up
    made (click, the commands) is frozen out of its passes."""
    done = subprocess.run([sys.executable, "-c", _GC_PROBE], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stderr)
    assert len(seen) == 1 and seen[0]["enabled"] and seen[0]["frozen"] > 1000


def test_the_collector_is_back_on_after_a_run_that_ends_early(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A TAB answered before click is imported ends at once; a caller in the same process
    (as a test is) gets the collector back on."""
    import gc

    import mila_cli

    monkeypatch.setenv("_MILA_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "mila sho")
    monkeypatch.setenv("COMP_CWORD", "1")
    with pytest.raises(SystemExit):
        mila_cli.main()
    assert "show" in capfd.readouterr().out  # answered (by the fast path)
    assert gc.isenabled()
