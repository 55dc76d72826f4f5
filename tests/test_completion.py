"""Shell completion: callbacks, the committed scripts, and real bash, zsh and fish."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from conftest import ROOT, invoke, need

from mila_cli.cli import cli

SCRIPTS = {"bash": "mila.bash", "zsh": "_mila", "fish": "mila.fish"}


def _values(args: list[str], incomplete: str) -> list[str]:
    return [c.value for c in ShellComplete(cli, {}, "mila", "_MILA_COMPLETE").get_completions(args, incomplete)]


def _helps(args: list[str], incomplete: str) -> dict[str, str | None]:
    items = ShellComplete(cli, {}, "mila", "_MILA_COMPLETE").get_completions(args, incomplete)
    return {c.value: c.help for c in items}


# The scripts ------------------------------------------------------------------


@pytest.mark.parametrize("shell", sorted(SCRIPTS))
def test_committed_script_is_what_the_command_prints(shell: str) -> None:
    result = invoke("completion", shell)
    assert result.exit_code == 0
    committed = (ROOT / "completions" / SCRIPTS[shell]).read_text(encoding="utf-8")
    assert result.stdout == committed, f"regenerate: mila completion {shell} > completions/{SCRIPTS[shell]}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tcsh"], "name a shell (bash, zsh, fish), or 'install'"),
        ([], "name a shell (bash, zsh, fish), or 'install'"),
        (["install", "tcsh"], "unknown shell 'tcsh'; choose from: bash, zsh, fish"),
        (["install", "bash", "zsh"], "name a shell"),
    ],
)
def test_unknown_shell_is_usage_error(args: list[str], message: str) -> None:
    result = invoke("completion", *args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


# Installing: where each shell finds a user's script -----------------------------


@pytest.mark.parametrize(
    ("shell", "where"),
    [
        ("bash", "data/bash-completion/completions/mila"),
        ("zsh", "data/zsh/site-functions/_mila"),
        ("fish", "config/fish/completions/mila.fish"),
    ],
)
def test_install_puts_the_script_where_the_shell_looks(isolated: Path, shell: str, where: str) -> None:
    first = invoke("completion", "install", shell)
    target = isolated / where  # under XDG_DATA_HOME or XDG_CONFIG_HOME, folders made
    assert first.exit_code == 0 and first.stdout.startswith(f"installed {shell} completion in {target}\n")
    assert target.read_text(encoding="utf-8") == invoke("completion", shell).stdout
    again = invoke("completion", "install", shell)
    assert again.exit_code == 0 and again.stdout.startswith(f"already installed: {shell} completion in {target}\n")
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left


def test_install_without_xdg_uses_the_home_defaults(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(var, "relative/is/ignored")  # the XDG spec: only absolute paths count
    assert invoke("completion", "install", "fish").exit_code == 0
    assert (isolated / ".config" / "fish" / "completions" / "mila.fish").is_file()
    assert invoke("completion", "install", "bash").exit_code == 0
    assert (isolated / ".local" / "share" / "bash-completion" / "completions" / "mila").is_file()


def test_install_honours_bash_completion_user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASH_COMPLETION_USER_DIR", str(tmp_path / "bc"))
    assert invoke("completion", "install", "bash").exit_code == 0
    assert (tmp_path / "bc" / "completions" / "mila").is_file()


def test_install_replaces_an_old_script(isolated: Path) -> None:
    target = isolated / "config" / "fish" / "completions" / "mila.fish"
    target.parent.mkdir(parents=True)
    target.write_text("# an older mila's script\n")
    assert invoke("completion", "install", "fish").stdout.startswith("installed fish")
    assert target.read_text(encoding="utf-8") == invoke("completion", "fish").stdout


@pytest.mark.parametrize(("shell_var", "shell"), [("/bin/bash", "bash"), ("/usr/bin/zsh", "zsh"), ("fish", "fish")])
def test_install_takes_the_shell_from_shell_var(monkeypatch: pytest.MonkeyPatch, shell_var: str, shell: str) -> None:
    monkeypatch.setenv("SHELL", shell_var)
    result = invoke("completion", "install")
    assert result.exit_code == 0 and result.stdout.startswith(f"installed {shell} completion in ")


@pytest.mark.parametrize("shell_var", ["/bin/tcsh", ""])
def test_install_with_an_unknown_shell_var_asks_for_a_shell(monkeypatch: pytest.MonkeyPatch, shell_var: str) -> None:
    monkeypatch.setenv("SHELL", shell_var)
    result = invoke("completion", "install")
    assert (
        result.exit_code == 2 and "cannot tell your shell from SHELL=" in result.stderr and "name one" in result.stderr
    )


def test_install_where_nothing_can_be_written_is_one_line_exit_3(isolated: Path) -> None:
    (isolated / "config").write_text("a file where a folder should be")
    result = invoke("completion", "install", "fish")
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.startswith("mila: cannot install the fish completion: ") and result.stderr.count("\n") == 1


def test_zsh_install_names_the_one_line_to_add(isolated: Path) -> None:
    folder = isolated / "data" / "zsh" / "site-functions"
    # No ~/.zshrc: the line brings compinit too.
    out = invoke("completion", "install", "zsh").stdout.splitlines()
    assert out[1:3] == [
        "add this line to ~/.zshrc, at the end:",
        "  fpath=(~/data/zsh/site-functions $fpath); autoload -Uz compinit && compinit",
    ]
    # With compinit: only the fpath line, before it.
    (isolated / ".zshrc").write_text("autoload -Uz compinit\ncompinit\n")
    out = invoke("completion", "install", "zsh").stdout.splitlines()
    assert out[1:3] == ["add this line to ~/.zshrc, before compinit:", "  fpath=(~/data/zsh/site-functions $fpath)"]
    # Once added, nothing more to say.
    (isolated / ".zshrc").write_text(f"fpath=({folder} $fpath)\nautoload -Uz compinit\ncompinit\n")
    assert invoke("completion", "install", "zsh").stdout.splitlines()[1:] == ["open a new shell to use it"]


def test_zsh_install_reads_zdotdir(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZDOTDIR", str(isolated / "zdot"))
    out = invoke("completion", "install", "zsh").stdout
    assert f"add this line to {isolated / 'zdot' / '.zshrc'}, at the end:" in out


# What TAB offers -------------------------------------------------------------


def test_commands_and_options() -> None:
    assert set(_values([], "")) >= {
        "facts",
        "sources",
        "show",
        "history",
        "areas",
        "people",
        "search",
        "bookmark",
        "completion",
    }
    assert _values([], "se") == ["search"]
    assert _values([], "so") == ["sources"]
    assert "--category" in _values(["facts"], "--")
    assert set(_values(["bookmark"], "")) == {"add", "list", "remove", "clear", "path"}
    assert _values(["completion"], "") == ["bash", "zsh", "fish", "install"]
    assert _values(["completion", "install"], "") == ["bash", "zsh", "fish"]
    assert _values(["completion", "bash"], "") == []


def test_source_values_by_id_or_title() -> None:
    assert _values(["facts", "--source"], "") == ["core-expertise", "encyclopedia"]
    assert _values(["facts", "--source"], "enc") == ["encyclopedia"]
    assert _values(["facts", "-s"], "mila") == ["encyclopedia"]  # "Mila (research institute)"
    assert _helps(["facts", "--source"], "core")["core-expertise"] == "Core Expertise"


def test_category_values() -> None:
    assert _values(["facts", "--category"], "pe") == ["people"]
    assert "history" in _values(["search", "lisa", "-c"], "")


@pytest.mark.parametrize("typed", ["jo", "JO", "joë", "Joë", "pin"])
def test_people_ignore_case_and_accents(typed: str) -> None:
    assert "joelle-pineau" in _values(["people"], typed)


def test_people_help_is_the_display_name() -> None:
    assert _helps(["people"], "jo") == {"joelle-pineau": "Joëlle Pineau"}


def test_people_by_last_name() -> None:
    assert _values(["people"], "ben") == ["yoshua-bengio"]


def test_offers_that_start_with_what_was_typed_come_alone() -> None:
    # 'reinf' starts reinforcement-learning: topic-reinforcement-learning (a word of its
    # name) would leave the shell no common start, and zsh would erase the typed word.
    assert _values(["areas"], "reinf") == ["reinforcement-learning"]
    # Nothing starts with 'learn': every area with a word that does is offered.
    assert {"deep-learning", "reinforcement-learning", "topic-meta-learning"} <= set(_values(["areas"], "learn"))


def test_facts_dir_offers_folders() -> None:
    items = ShellComplete(cli, {}, "mila", "_MILA_COMPLETE").get_completions(["--facts-dir"], "pa")
    assert [(i.type, i.value) for i in items] == [("dir", "pa")]
    items = ShellComplete(cli, {}, "mila", "_MILA_COMPLETE").get_completions(["people", "--facts-dir"], "")
    assert [i.type for i in items] == ["dir"]


def test_a_pack_named_after_the_command_is_completed_from(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "x.json").write_text(
        '[{"id": "ada-lovelace", "category": "people", "name": "Ada", "roles": ["r"], "text": "t",'
        ' "source": "encyclopedia"}]'
    )
    assert _values(["people", "--facts-dir", str(folder)], "ad") == ["ada-lovelace"]
    assert _values(["--facts-dir", str(folder), "people"], "ad") == ["ada-lovelace"]


def test_areas_and_fact_ids() -> None:
    assert "reinforcement-learning" in _values(["areas"], "rein")
    assert "applied-natural-language-processing" in _values(["areas"], "nlp")  # named NLP
    assert _values(["show"], "lisa-f") == ["lisa-founded"]
    assert "iclr" in _values(["bookmark", "add"], "icl")
    assert all(" " not in v and v.isascii() for v in _values(["show"], ""))


def test_bookmark_remove_offers_bookmarked_ids_only() -> None:
    invoke("bookmark", "add", "iclr", "--note", "conference")
    invoke("bookmark", "add", "gans")
    assert _values(["bookmark", "remove"], "") == ["iclr", "gans"]
    assert _helps(["bookmark", "remove"], "i") == {"iclr": "conference"}


def test_broken_bookmark_file_gives_no_values(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "bookmarks.json").write_text("{broken")
    assert _values(["bookmark", "remove"], "") == []


def test_help_text_is_one_safe_line(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "x.json").write_text(
        '[{"id": "odd", "category": "people", "name": "A\\nB\\u001b[2J", "roles": ["r"], "text": "t",'
        ' "source": "encyclopedia"}]'
    )
    (help_,) = _helps(["--facts-dir", str(folder), "people"], "odd").values()
    assert help_ is not None and "\n" not in help_ and "\x1b" not in help_


# Real processes and shells ------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    # The shells run the installed mila found on PATH, next to this interpreter.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _protocol(shell: str, words: str, cword: int, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mila_cli"],
        env=_env(COMP_WORDS=words, COMP_CWORD=str(cword), _MILA_COMPLETE=f"{shell}_complete", **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_completion_process_prints_nothing_but_values(tmp_path: Path) -> None:
    done = _protocol("bash", "mila --facts-dir /nonexistent show lisa-f", 4)
    # A broken pack: no values (click still ends its empty answer with a newline).
    assert done.returncode == 0 and done.stdout.strip() == "" and done.stderr == ""
    done = _protocol("bash", "mila show lisa-f", 2)
    assert done.stdout == "plain,lisa-founded\n" and done.stderr == ""


@pytest.mark.slow
def test_bash_completes_through_the_registered_function() -> None:
    bash = need("bash")
    if not Path("/usr/share/bash-completion/bash_completion").exists():
        need("bash-completion-is-missing")  # skip locally, fail in CI
    script = f"""
        source /usr/share/bash-completion/bash_completion
        source {ROOT / "completions" / "mila.bash"}
        func=$(complete -p mila | sed -E 's/.*-F ([^ ]+).*/\\1/')
        COMP_WORDS=(mila people jo); COMP_CWORD=2
        $func mila jo people
        printf '%s\\n' "${{COMPREPLY[@]}}"
        COMP_WORDS=(mila facts --category h); COMP_CWORD=3
        COMPREPLY=(); $func mila h --category
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    done = subprocess.run([bash, "-c", script], env=_env(), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["joelle-pineau", "history"]
    assert done.stderr == ""


@pytest.mark.slow
def test_fish_completes_people() -> None:
    fish = need("fish")
    script = f"source {ROOT / 'completions' / 'mila.fish'}; complete -C 'mila people ben'; complete -C 'mila people jo'"
    done = subprocess.run([fish, "-c", script], env=_env(), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "yoshua-bengio\tYoshua Bengio" in lines
    assert "joelle-pineau\tJoëlle Pineau" in lines


@pytest.mark.slow
def test_zsh_script_loads_under_compinit_and_protocol_answers(tmp_path: Path) -> None:
    zsh = need("zsh")
    fpath = tmp_path / "functions"
    fpath.mkdir()
    shutil.copy(ROOT / "completions" / "_mila", fpath / "_mila")
    script = f"""
        fpath=({fpath} $fpath)
        autoload -Uz compinit && compinit -u -d {tmp_path / "zcompdump"}
        print -r -- "registered: $_comps[mila]"
        source {fpath / "_mila"}
        whence -w _mila_completion
    """
    done = subprocess.run(
        [zsh, "-f", "-c", script], env=_env(HOME=str(tmp_path)), capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "registered: _mila" in done.stdout and "_mila_completion: function" in done.stdout
    assert done.stderr == ""
    answer = _protocol("zsh", "mila people jo", 2)
    assert answer.stdout == "plain\njoelle-pineau\nJoëlle Pineau\n"
    assert answer.stderr == ""


def test_bash_install_says_when_bashrc_does_not_load_bash_completion(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mila_cli import shells

    monkeypatch.setattr(shells, "_BASH_STARTUP", ("~/.bashrc",))
    monkeypatch.setattr(shells, "_BASH_COMPLETION", (str(isolated / "bash_completion"),))
    (isolated / "bash_completion").write_text("# bash-completion's loader\n")
    (isolated / ".bashrc").write_text("alias ll='ls -l'\n# . /usr/share/bash-completion/bash_completion\n")
    out = invoke("completion", "install", "bash").stdout
    assert "your ~/.bashrc does not load bash-completion; add this line to it:" in out
    assert "  source ~/data/bash-completion/completions/mila" in out
    (isolated / ".bashrc").write_text(". /usr/share/bash-completion/bash_completion\n")
    assert "does not load" not in invoke("completion", "install", "bash").stdout


def _fake_install(tmp_path: Path) -> tuple[Path, Path]:
    """A `mila` script as pip writes one (its shebang names the interpreter), where that
    interpreter logs how it was started, then runs the real one."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "started.log"
    interpreter = bin_dir / "python3"
    interpreter.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {sys.executable} "$@"\n')
    interpreter.chmod(0o755)
    mila = bin_dir / "mila"
    mila.write_text(f"#!{interpreter}\nimport re\nimport sys\nfrom mila_cli import main\nsys.exit(main())\n")
    mila.chmod(0o755)
    return bin_dir, log


def _bash_tab(bin_dir: Path, cwd: Path | None = None) -> str:
    """What the installed bash script offers for `mila people jo<TAB>`, with bin_dir's mila."""
    script = f"""
        source {ROOT / "completions" / "mila.bash"}
        COMP_WORDS=(mila people jo); COMP_CWORD=2
        _mila_completion mila jo people
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    env = {**_env(), "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin"}
    done = subprocess.run(
        [need("bash"), "-c", script], env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_bash_starts_the_interpreter_directly(tmp_path: Path) -> None:
    bin_dir, log = _fake_install(tmp_path)
    assert _bash_tab(bin_dir).split() == ["joelle-pineau"]
    assert log.read_text().startswith("-c import sys; del sys.path[0]; import mila_cli")  # not the wrapper


@pytest.mark.slow
def test_fish_starts_the_interpreter_directly(tmp_path: Path) -> None:
    fish = need("fish")
    bin_dir, log = _fake_install(tmp_path)
    script = f"source {ROOT / 'completions' / 'mila.fish'}; complete -C 'mila people jo'"
    env = {**_env(), "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin"}
    done = subprocess.run([fish, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "joelle-pineau\tJoëlle Pineau" in done.stdout.splitlines(), done.stderr
    assert log.read_text().startswith("-c import sys; del sys.path[0]; import mila_cli")


@pytest.mark.slow
def test_a_folder_named_mila_cli_where_the_tab_is_pressed_is_not_imported(tmp_path: Path) -> None:
    bin_dir, _ = _fake_install(tmp_path)
    trap = tmp_path / "work" / "mila_cli"
    trap.mkdir(parents=True)
    (trap / "__init__.py").write_text("raise SystemExit('the folder was imported')\n")
    assert _bash_tab(bin_dir, cwd=trap.parent).split() == ["joelle-pineau"]
