"""The completion scripts bash, zsh and fish load, and where each finds them for one user.

The scripts speak click's completion protocol (_MILA_COMPLETE=<shell>_complete) but are
our own, to fix what click's stock scripts get wrong for a user: fish cut every
description at its first comma, zsh erased the typed word when the offers shared no
prefix, zsh without compinit complained at every start, and bash glob-expanded values.
Nothing here runs on a TAB: only `mila completion` imports it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

SHELLS = ("bash", "zsh", "fish")

_BASH = """\
# mila's TAB completion for bash; made by 'mila completion bash'.
_mila_completion() {
    local IFS=$'\\n'
    local response type value program first
    program=$(type -P "$1") || return 0
    IFS= read -r first < "$program" 2>/dev/null
    if [[ $first == '#!'*python* && $first != *[[:space:]]* ]]; then
        # The interpreter mila's script names, started directly: pip's wrapper script
        # imports re first, a few milliseconds of every TAB.
        response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _MILA_COMPLETE=bash_complete \\
            "${first#\\#!}" -c '%(launch)s' 2>/dev/null)
    else
        response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _MILA_COMPLETE=bash_complete \\
            "$1" 2>/dev/null)
    fi

    for completion in $response; do
        IFS=',' read -r type value <<< "$completion"

        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            COMPREPLY+=("$value")
        fi
    done

    return 0
}

complete -o nosort -F _mila_completion mila
"""

_ZSH = """\
#compdef mila
# mila's TAB completion for zsh; made by 'mila completion zsh'.

_mila_completion() {
    local -a completions completions_with_descriptions response mila
    local type key descr first elsewhere=0
    (( ! $+commands[mila] )) && return 1

    # The interpreter mila's script names, started directly: pip's wrapper script imports
    # re first, a few milliseconds of every TAB.
    mila=(mila)
    IFS= read -r first < $commands[mila] 2>/dev/null
    if [[ $first == '#!'*python* && $first != *[[:space:]]* ]]; then
        mila=(${first#\\#!} -c '%(launch)s')
    fi
    response=("${(@f)$(env COMP_WORDS="${words[*]}" COMP_CWORD=$((CURRENT-1)) \\
        _MILA_COMPLETE=zsh_complete $mila 2>/dev/null)}")

    for type key descr in ${response}; do
        if [[ "$type" == "plain" ]]; then
            # An offer found by a word of its name ('ben' offers yoshua-bengio) does not
            # start with what was typed.
            [[ "${key//\\\\:/:}" != "${(Q)PREFIX}"* ]] && elsewhere=1
            if [[ "$descr" == "_" ]]; then
                completions+=("$key")
            else
                completions_with_descriptions+=("$key":"$descr")
            fi
        elif [[ "$type" == "dir" ]]; then
            _path_files -/
        elif [[ "$type" == "file" ]]; then
            _path_files -f
        fi
    done

    # Offers that all start with what was typed are matched as zsh matches anything.
    # The others are added as they are (-U); when there are several, they are listed
    # and the typed word is left alone rather than cut to their common prefix (empty).
    local -a unfiltered
    (( elsewhere )) && unfiltered=(-U)
    if [ -n "$completions_with_descriptions" ]; then
        _describe -V unsorted completions_with_descriptions $unfiltered
    fi
    if [ -n "$completions" ]; then
        compadd $unfiltered -V unsorted -a completions
    fi
    if (( elsewhere && compstate[nmatches] > 1 )); then
        compstate[insert]=''
        compstate[list]='list force'
    fi
}

if [[ $zsh_eval_context[-1] == loadautofunc ]] || (( ${+compstate} )); then
    # autoloaded from fpath as _mila, whose body is this file: called for a completion,
    # the first time (loadautofunc) and every time after
    _mila_completion "$@"
elif (( $+functions[compdef] )); then
    # eval or source: register for later
    compdef _mila_completion mila
fi
"""

_FISH = """\
# mila's TAB completion for fish; made by 'mila completion fish'.
function _mila_completion
    # The interpreter mila's script names, started directly: pip's wrapper script imports
    # re first, a few milliseconds of every TAB.
    set -l mila mila
    set -l program (command -s mila)
    and read -l first < $program 2>/dev/null
    and string match -qr '^#!\\S*python\\S*$' -- $first
    and set mila (string sub -s 3 -- $first) -c '%(launch)s'
    set -l response (env _MILA_COMPLETE=fish_complete COMP_WORDS=(commandline -cp) \\
        COMP_CWORD=(commandline -t) $mila 2>/dev/null)

    for completion in $response
        # type,value<TAB>description: only the first comma separates (descriptions have commas)
        set -l metadata (string split --max 1 "," -- $completion)

        if test "$metadata[1]" = dir
            __fish_complete_directories $metadata[2]
        else if test "$metadata[1]" = file
            __fish_complete_path $metadata[2]
        else if test "$metadata[1]" = plain
            echo $metadata[2]
        end
    end
end

complete --no-files --command mila --arguments "(_mila_completion)"
"""

_SCRIPTS = {"bash": _BASH, "zsh": _ZSH, "fish": _FISH}
# What the scripts run in the interpreter: mila, without the current folder on sys.path
# (python -c puts it first, and a folder there named mila_cli must not be imported).
LAUNCH = "import sys; del sys.path[0]; import mila_cli; mila_cli.main()"


def script(shell: str) -> str:
    """The completion script for a shell (one of SHELLS)."""
    return _SCRIPTS[shell] % {"launch": LAUNCH}


def shell_from_env() -> str | None:
    """The user's shell by $SHELL's name (/usr/bin/zsh is zsh), if it is one we complete."""
    name = Path(os.environ.get("SHELL", "")).name
    return name if name in SHELLS else None


def _home() -> Path:
    return Path(os.path.expanduser("~"))


def _xdg(variable: str, fallback: str) -> Path:
    # The XDG spec: a relative path in the variable is invalid and ignored.
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else _home() / fallback


@dataclass(frozen=True)
class Place:
    """Where one shell finds a user's completion script, and what else the user must do."""

    path: Path
    # The one line to add to a start-up file, if the shell does not look there by itself.
    line: str | None = None
    startup_file: str | None = None


def place(shell: str) -> Place:
    """Where `shell` looks for this user's completion script for mila."""
    if shell == "bash":
        # bash-completion (2.8+) loads completions/<command> from here on the first TAB.
        user_dir = os.environ.get("BASH_COMPLETION_USER_DIR", "")
        base = Path(user_dir) if os.path.isabs(user_dir) else _xdg("XDG_DATA_HOME", ".local/share") / "bash-completion"
        return Place(base / "completions" / "mila")
    if shell == "fish":
        return Place(_xdg("XDG_CONFIG_HOME", ".config") / "fish" / "completions" / "mila.fish")
    # zsh has no per-user folder of its own: compinit finds _mila through $fpath, which
    # ~/.zshrc must extend before it calls compinit.
    folder = _xdg("XDG_DATA_HOME", ".local/share") / "zsh" / "site-functions"
    zdotdir = os.environ.get("ZDOTDIR", "")
    rc = str(Path(zdotdir) / ".zshrc") if os.path.isabs(zdotdir) else "~/.zshrc"
    return Place(folder / "_mila", line=f"fpath=({_shell_path(folder)} $fpath)", startup_file=rc)


def _shell_path(path: Path) -> str:
    """The path as a user would write it in a start-up file: ~ for home, quoted if it must be."""
    home = str(_home())
    text = str(path)
    if text == home or text.startswith(home + os.sep):
        rest = text[len(home) :]
        if all(c.isalnum() or c in "/._-" for c in rest):
            return "~" + rest
    return "'" + text.replace("'", "'\\''") + "'"


@dataclass(frozen=True)
class Installed:
    shell: str
    path: Path
    changed: bool  # False when the same script was already there
    place: Place
    on_path: bool  # whether `mila` is found on PATH, as the script will look for it


# Where distributions put bash-completion's loader; Debian's ~/.bashrc sources the first.
_BASH_COMPLETION = (
    "/usr/share/bash-completion/bash_completion",
    "/etc/bash_completion",
    "/usr/local/share/bash-completion/bash_completion",
    "/opt/homebrew/etc/profile.d/bash_completion.sh",
    "/usr/local/etc/profile.d/bash_completion.sh",
)


def _startup_text(startup_file: str) -> str:
    """A start-up file's text; empty when there is none, or it cannot be read."""
    try:
        return Path(os.path.expanduser(startup_file)).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


_BASH_STARTUP = ("~/.bashrc", "/etc/bash.bashrc")  # where an interactive bash may load bash-completion


def _loads(startup_file: str, name: str) -> bool:
    """Whether a start-up file names `name` on a line that is not a comment."""
    lines = _startup_text(startup_file).splitlines()
    return any(name in line and not line.lstrip().startswith("#") for line in lines)


def report(done: Installed) -> list[str]:
    """What install did, and the one line, if any, the user must still add."""
    shell = done.shell
    lines = [
        f"{'installed' if done.changed else 'already installed:'} {shell} completion in {done.path}",
    ]
    if shell == "zsh" and done.place.line and done.place.startup_file:
        folder = str(done.path.parent)
        rc = done.place.startup_file
        text = _startup_text(rc)
        has_compinit = "compinit" in text
        if not (folder in text or done.place.line in text):
            line = done.place.line if has_compinit else f"{done.place.line}; autoload -Uz compinit && compinit"
            where = "before compinit" if has_compinit else "at the end"
            lines += [f"add this line to {rc}, {where}:", f"  {line}"]
    elif shell == "bash" and not any(os.path.exists(p) for p in _BASH_COMPLETION):
        lines += [
            "bash-completion was not found: install it (Debian: apt install bash-completion),",
            f"or add this line to ~/.bashrc:  source {_shell_path(done.path)}",
        ]
    elif shell == "bash" and not any(_loads(f, "bash_completion") for f in _BASH_STARTUP):
        # Installed, but no start-up file loads bash-completion, which would find the script.
        lines += [
            "your ~/.bashrc does not load bash-completion; add this line to it:",
            f"  source {_shell_path(done.path)}",
        ]
    if not done.on_path:
        lines.append("note: 'mila' is not on your PATH, and the script runs 'mila'; TAB offers nothing until it is")
    lines.append("open a new shell to use it")
    return lines


def install(shell: str) -> Installed:
    """Write the script where `shell` finds it, creating folders; idempotent.

    Written to a temporary file and renamed, so a shell never loads half a script.
    Raises OSError when the folder or file cannot be written.
    """
    where = place(shell)
    text = script(shell)
    try:
        changed = where.path.read_text(encoding="utf-8") != text
    except (OSError, UnicodeDecodeError):
        changed = True
    if changed:
        where.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = where.path.with_name(f".{where.path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, where.path)
        finally:
            temporary.unlink(missing_ok=True)
    return Installed(shell, where.path, changed, where, shutil.which("mila") is not None)
