"""The user's bookmarks: one JSON file in the user data directory, never lost.

Every change is a read-modify-write under a lock on a separate lock file (the data
file's inode is swapped by os.replace, so it cannot hold a lock), written to a
temporary file beside the data file, fsynced, then renamed over it. A process killed
at any moment leaves the old file or the new one; the kernel drops its lock with it.
A bookmarks.json that is a symlink is written through: its target gets the new file.

Only a regular file of at most MAX_FILE_BYTES is read. A corrupt file stays in place
until the new one is written, and is then kept as a backup; a file from a newer mila
is never changed. Top-level keys this version does not know are kept. The directory
mila creates is 0700, its files 0600. Nothing here prints: notices are returned for
the caller to show.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from mila_cli.errors import DataError
from mila_cli.facts import BOM, MAX_FILE_BYTES, NotRegularFile, TooLarge, is_slug, read_regular

FORMAT_VERSION = 1
_T = TypeVar("_T")
FILE_NAME = "bookmarks.json"
LOCK_TIMEOUT = 30.0  # seconds a writer waits for another before giving up
# Our own format nests three deep; the bound keeps unknown keys we carry over well
# inside the JSON encoder's recursion limit.
MAX_DEPTH = 64

Bookmark = dict[str, Any]  # {"id": fact id, "note": str | None, "added": ISO 8601 UTC}

_SURROGATE = re.compile("[\ud800-\udfff]")
# As we write it (2024-05-01T12:00:00Z), or with fractional seconds or an offset.
_ADDED = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.[0-9]+)?(?:Z|[+-]([0-9]{2}):([0-9]{2}))\Z"
)


def data_dir() -> str:
    """MILA_DATA_DIR if set, else platformdirs' user data directory for mila."""
    # Paths are plain strings (os.path), not pathlib's: its import costs every
    # `bookmark list` milliseconds, a third of what mila itself takes.
    override = os.environ.get("MILA_DATA_DIR")
    if override:
        expanded = os.path.expanduser(override)
        if expanded.startswith("~"):  # '~user' with no such user, or no home at all
            raise DataError(f"MILA_DATA_DIR {override!r}: no such user's home to expand '~' in")
        # Shown as pathlib would show it ('./d//' as 'd'); a '..' is kept, as pathlib keeps it.
        return expanded if os.pardir in expanded.split(os.sep) else os.path.normpath(expanded)
    import platformdirs

    # appauthor=False: on Windows the app name would otherwise appear twice.
    return platformdirs.user_data_dir("mila", appauthor=False)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _scrub(text: str) -> str:
    """text with each lone surrogate (undecodable bytes typed on a terminal) as U+FFFD,
    so that it can be stored as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)


class BookmarkStore:
    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = os.fspath(directory) if directory is not None else data_dir()
        # 'bookmarks.json' in the current folder, not './bookmarks.json', as pathlib shows it.
        self.path = FILE_NAME if self.directory == os.curdir else os.path.join(self.directory, FILE_NAME)
        self.lock_path = os.path.join(self.directory, FILE_NAME + ".lock")
        self.notices: list[str] = []  # things the user should hear about, e.g. a backup made

    # Reading ----------------------------------------------------------------

    def read(self) -> list[Bookmark]:
        """The bookmarks, oldest first; none if the file does not exist yet."""
        raw = self._read_bytes()
        if raw is None:
            return []
        try:
            return _parse(raw)[0]
        except _Newer as newer:
            raise self._newer_error(newer) from None
        except _Corrupt as corrupt:
            raise DataError(
                f"bookmarks file {self.path} is corrupt ({corrupt}); fix it by hand, or run "
                "'mila bookmark add ID' or 'mila bookmark clear', which keep it as a backup and start a new one"
            ) from None

    def _read_bytes(self) -> bytes | None:
        """The data file's bytes; None if there is none. Only a regular file is read, and
        no more than MAX_FILE_BYTES of it (facts.read_regular), so that a FIFO, a device or
        a huge file of that name can neither block mila nor exhaust its memory."""
        try:
            return read_regular(self.path, MAX_FILE_BYTES)
        except FileNotFoundError:
            return None
        except NotRegularFile:
            raise self._not_regular() from None
        except TooLarge:
            raise self._too_big() from None
        except OSError as exc:
            raise DataError(f"cannot read bookmarks file {self.path}: {exc.strerror or exc}") from None

    def _not_regular(self) -> DataError:
        return DataError(f"bookmarks file {self.path} is not a regular file; move it away")

    def _too_big(self) -> DataError:
        return DataError(
            f"bookmarks file {self.path} is over the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit; move it away"
        )

    def _newer_error(self, newer: _Newer) -> DataError:
        return DataError(
            f"bookmarks file {self.path} has format version {newer.version}, newer than this mila's "
            f"{FORMAT_VERSION}; upgrade mila to use it"
        )

    # Writing ----------------------------------------------------------------

    def add(self, fact_id: str, note: str | None) -> bool:
        """Bookmark fact_id; True if it is new, False if it was already there. A note
        given replaces the one kept ("" clears it); no note given keeps it."""
        kept = _scrub(note) if note else None

        def change(bookmarks: list[Bookmark]) -> tuple[list[Bookmark], bool]:
            for b in bookmarks:
                if b["id"] == fact_id:
                    if note is not None:
                        b["note"] = kept
                    return bookmarks, False
            return [*bookmarks, {"id": fact_id, "note": kept, "added": _now()}], True

        return self._update(change)

    def remove(self, fact_id: str) -> bool:
        """Remove a bookmark; False if there was none with that id. Nothing is written
        (no folder made, no corrupt file moved aside) when there is nothing to remove."""
        if not any(b["id"] == fact_id for b in self.read()):
            return False

        def change(bookmarks: list[Bookmark]) -> tuple[list[Bookmark], bool]:
            kept = [b for b in bookmarks if b["id"] != fact_id]
            return kept, len(kept) != len(bookmarks)

        return self._update(change)

    def clear(self) -> int:
        """Remove every bookmark; how many there were."""
        return self._update(lambda bookmarks: ([], len(bookmarks)))

    def _update(self, change: Callable[[list[Bookmark]], tuple[list[Bookmark], _T]]) -> _T:
        """Apply change to the bookmarks under the lock and write what it returns first;
        return what it returns second."""
        from filelock import FileLock, Timeout

        try:
            _make_private_dirs(self.directory)
            self._tighten_lock_file()
            with FileLock(self.lock_path, timeout=LOCK_TIMEOUT, mode=0o600):
                target = self._target()
                self._remove_orphans(target)
                bookmarks, others, corrupt = self._read_for_write()
                # The corrupt file stays where it is until the new one is written: a write
                # that fails (disk full) must leave it, and the user's error, as they were.
                backup = self._back_up(target) if corrupt is not None else None
                changed, result = change(bookmarks)
                try:
                    self._write(target, {"version": FORMAT_VERSION, "bookmarks": changed, **others})
                except BaseException:
                    if backup is not None:
                        _unlink(backup)
                    raise
                if backup is not None:
                    self.notices.append(
                        f"bookmarks file {self.path} was corrupt ({corrupt}); kept it as {backup} and started a new one"
                    )
                return result
        except Timeout:
            raise DataError(
                f"the bookmark lock file {self.lock_path} has been held for {LOCK_TIMEOUT:g}s "
                "by another process; try again"
            ) from None
        except OSError as exc:
            raise DataError(f"cannot write bookmarks in {self.directory}: {exc.strerror or exc}") from None

    def _tighten_lock_file(self) -> None:
        # filelock sets the mode only on a lock file it creates; one left by an older
        # mila may be world-readable. Only our own regular file is touched.
        try:
            info = os.lstat(self.lock_path)
        except FileNotFoundError:
            return
        owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        if owned and stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) != 0o600:
            with contextlib.suppress(OSError):  # the lock still works; only its mode stays as it was
                os.chmod(self.lock_path, 0o600)

    def _read_for_write(self) -> tuple[list[Bookmark], dict[str, Any], str | None]:
        """The bookmarks, the top-level keys to carry over, and why the file is corrupt
        (None if it is not; then there is nothing to carry over)."""
        raw = self._read_bytes()
        if raw is None:
            return [], {}, None
        try:
            bookmarks, others = _parse(raw)
        except _Newer as newer:
            # Written by a newer mila: it is not ours to rewrite, or to move aside.
            raise self._newer_error(newer) from None
        except _Corrupt as corrupt:
            return [], {}, str(corrupt)
        return bookmarks, others, None

    def _target(self) -> str:
        """The file the data is written to: bookmarks.json, or the file it links to
        (dotfiles managers keep it elsewhere), existing or not."""
        if os.path.islink(self.path):
            return os.path.realpath(self.path)
        return self.path

    def _back_up(self, target: str) -> str:
        """A second name for the corrupt file (a copy across file systems)."""
        backup = self._backup_name()
        try:
            os.link(target, backup)
        except OSError:
            import shutil

            try:
                shutil.copy2(target, backup)
            except BaseException:
                _unlink(backup)
                raise
        return backup

    def _backup_name(self) -> str:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        candidate = os.path.join(self.directory, f"{FILE_NAME}.corrupt-{stamp}")
        n = 1
        while os.path.lexists(candidate):
            n += 1
            candidate = os.path.join(self.directory, f"{FILE_NAME}.corrupt-{stamp}-{n}")
        return candidate

    def _write(self, target: str, document: dict[str, Any]) -> None:
        directory = os.path.dirname(target) or os.curdir
        if not os.path.isdir(directory):  # only a dangling symlink's target can be in a missing directory
            raise DataError(f"bookmarks file {self.path} links to {target}, whose directory does not exist")
        data = _scrub(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"
        # mkstemp makes the file 0600, whatever the umask.
        import tempfile  # only a write needs it; reading commands do not pay for it

        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            _unlink(tmp)
            raise
        _fsync_dir(directory)  # make the rename itself durable

    def _remove_orphans(self, target: str) -> None:
        # Only the lock holder writes temporary files, so any found now were left by
        # a writer that was killed.
        directory, name = os.path.split(target)
        directory = directory or os.curdir
        start, end = f".{name}.", ".tmp"  # as _write names them: mkstemp puts a random part between
        try:
            with os.scandir(directory) as entries:
                orphans = [
                    e.path
                    for e in entries
                    if e.name.startswith(start) and e.name.endswith(end) and len(e.name) >= len(start) + len(end)
                ]
        except OSError:  # gone, not a folder, or not listable (mode 0300): writing may still work
            return
        for orphan in orphans:
            _unlink(orphan)


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _make_private_dirs(directory: str) -> None:
    """Create directory and any missing parents, each 0700 as the XDG spec asks, whatever
    the umask; a directory that already exists is left as it is."""
    if os.path.isdir(directory):
        return
    parent = os.path.dirname(directory.rstrip(os.sep) or directory)
    if parent and parent != directory:
        _make_private_dirs(parent)
    try:
        os.mkdir(directory)
    except FileExistsError:
        if os.path.isdir(directory):  # made by another process just now
            return
        raise
    os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask; chmod's is not


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # some platforms cannot open a directory; the rename still stands
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Corrupt(Exception):
    """The bookmarks file cannot be read as one; the message says why."""


class _Newer(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


def _reject_constant(name: str) -> NoReturn:
    raise _Corrupt(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: it would be written back as Infinity, which is not JSON
        raise _Corrupt("a number too large")
    return value


def _parse(raw: bytes) -> tuple[list[Bookmark], dict[str, Any]]:
    """The bookmarks in a file's bytes, and its other top-level keys; _Corrupt or _Newer
    when they cannot be used."""
    try:
        text = raw.removeprefix(BOM).decode("utf-8")  # a BOM (some editors add one) is not corruption
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite)
    except UnicodeDecodeError:
        raise _Corrupt("not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _Corrupt(f"invalid JSON at line {exc.lineno}, column {exc.colno}") from None
    except ValueError:  # an integer of more digits than Python converts
        raise _Corrupt("a number too long") from None
    except RecursionError:
        raise _Corrupt("nested too deeply") from None
    if not isinstance(data, dict):
        raise _Corrupt("not a mila bookmarks file")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Corrupt("no valid format version")
    if version > FORMAT_VERSION:  # checked first: a newer format may shape the rest differently
        raise _Newer(version)
    if not isinstance(data.get("bookmarks"), list):
        raise _Corrupt("not a mila bookmarks file")
    if _too_deep(data):
        raise _Corrupt("nested too deeply")
    bookmarks: list[Bookmark] = data.pop("bookmarks")
    del data["version"]
    for n, b in enumerate(bookmarks, 1):
        if not isinstance(b, dict):
            raise _Corrupt(f"bookmark {n} is not an object")
        if not is_slug(b.get("id")):
            raise _Corrupt(f"bookmark {n} has no valid fact id")
        if not isinstance(b.get("note"), (str, type(None))):
            raise _Corrupt(f"bookmark {n} has a note that is not text")
        if not _is_added(b.get("added")):
            raise _Corrupt(f"bookmark {n} has no valid added time")
        note = b.setdefault("note", None)  # a note left out is no note
        if note is not None:
            b["note"] = _scrub(note)  # a "\udce9" escape in the file
    return bookmarks, data


def _too_deep(value: Any) -> bool:
    # Iterative, so that checking depth cannot itself overflow the stack.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _is_added(value: Any) -> bool:
    """value is an ISO 8601 time with a UTC offset, a real date and time of day."""
    if not isinstance(value, str):
        return False
    match = _ADDED.match(value)
    if not match:
        return False
    import datetime

    year, month, day, hour, minute, second, off_hour, off_minute = match.groups()
    try:
        datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        return False
    return off_hour is None or (int(off_hour) < 24 and int(off_minute) < 60)
