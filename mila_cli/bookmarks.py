"""The user's bookmarks: one JSON file in the user data directory, never lost.

Every change is a read-modify-write under a lock on a separate lock file (the data
file's inode is swapped by os.replace, so it cannot hold a lock), written to a
temporary file in the same directory, fsynced, then renamed over the old one. A
process killed at any moment leaves the old file or the new one; the kernel drops
its lock with it. Nothing here prints: notices are returned for the caller to show.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mila_cli.errors import DataError

FORMAT_VERSION = 1
FILE_NAME = "bookmarks.json"
LOCK_TIMEOUT = 30.0  # seconds a writer waits for another before giving up

Bookmark = dict[str, Any]  # {"id": str, "note": str | None, "added": ISO 8601 UTC}


def data_dir() -> Path:
    """MILA_DATA_DIR if set, else platformdirs' user data directory for mila."""
    override = os.environ.get("MILA_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    # appauthor=False: on Windows the app name would otherwise appear twice.
    return Path(platformdirs.user_data_dir("mila", appauthor=False))


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class BookmarkStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else data_dir()
        self.path = self.directory / FILE_NAME
        self.lock_path = self.directory / (FILE_NAME + ".lock")
        self.notices: list[str] = []  # things the user should hear about, e.g. a backup made

    # Reading ----------------------------------------------------------------

    def read(self) -> list[Bookmark]:
        """The bookmarks, oldest first; none if the file does not exist yet."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise DataError(f"cannot read bookmarks file {self.path}: {exc.strerror or exc}") from None
        try:
            return _parse(raw)
        except _Newer as newer:
            raise self._newer_error(newer) from None
        except _Corrupt as corrupt:
            raise DataError(
                f"bookmarks file {self.path} is corrupt ({corrupt}); fix it by hand, or run "
                "'mila bookmark add ID' or 'mila bookmark clear', which move it aside to a backup first"
            ) from None

    def _newer_error(self, newer: _Newer) -> DataError:
        return DataError(
            f"bookmarks file {self.path} has format version {newer.version}, newer than this mila's "
            f"{FORMAT_VERSION}; upgrade mila to use it"
        )

    # Writing ----------------------------------------------------------------

    def add(self, fact_id: str, note: str | None) -> bool:
        """Bookmark fact_id; True if it is new, False if it was already there. A note
        given replaces the one kept ("" clears it); no note given keeps it."""
        created = True
        kept = note or None

        def change(bookmarks: list[Bookmark]) -> list[Bookmark]:
            nonlocal created
            for b in bookmarks:
                if b["id"] == fact_id:
                    created = False
                    if note is not None:
                        b["note"] = kept
                    return bookmarks
            return [*bookmarks, {"id": fact_id, "note": kept, "added": _now()}]

        self._update(change)
        return created

    def remove(self, fact_id: str) -> bool:
        """Remove a bookmark; False if there was none with that id."""
        removed = False

        def change(bookmarks: list[Bookmark]) -> list[Bookmark]:
            nonlocal removed
            kept = [b for b in bookmarks if b["id"] != fact_id]
            removed = len(kept) != len(bookmarks)
            return kept

        self._update(change)
        return removed

    def clear(self) -> int:
        """Remove every bookmark; how many there were."""
        count = 0

        def change(bookmarks: list[Bookmark]) -> list[Bookmark]:
            nonlocal count
            count = len(bookmarks)
            return []

        self._update(change)
        return count

    def _update(self, change: Callable[[list[Bookmark]], list[Bookmark]]) -> None:
        from filelock import FileLock, Timeout

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT):
                self._remove_orphans()
                bookmarks = self._read_for_write()
                self._write(change(bookmarks))
        except Timeout:
            raise DataError(
                f"another mila has held the bookmark lock {self.lock_path} for {LOCK_TIMEOUT:g}s; try again"
            ) from None
        except OSError as exc:
            raise DataError(f"cannot write bookmarks in {self.directory}: {exc.strerror or exc}") from None

    def _read_for_write(self) -> list[Bookmark]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        try:
            return _parse(raw)
        except _Newer as newer:
            # Written by a newer mila: it is not ours to rewrite, or to move aside.
            raise self._newer_error(newer) from None
        except _Corrupt as corrupt:
            backup = self._backup_name()
            os.replace(self.path, backup)
            self.notices.append(f"bookmarks file {self.path} was corrupt ({corrupt}); moved it to {backup}")
            return []

    def _backup_name(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        candidate = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}")
        n = 1
        while candidate.exists():
            n += 1
            candidate = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}-{n}")
        return candidate

    def _write(self, bookmarks: list[Bookmark]) -> None:
        data = json.dumps({"version": FORMAT_VERSION, "bookmarks": bookmarks}, ensure_ascii=False, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{FILE_NAME}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data.encode("utf-8", "surrogatepass") + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.directory)  # make the rename itself durable

    def _remove_orphans(self) -> None:
        # Only the lock holder writes temporary files, so any found now were left by
        # a writer that was killed.
        for orphan in self.directory.glob(f".{FILE_NAME}.*.tmp"):
            orphan.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
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


def _parse(raw: bytes) -> list[Bookmark]:
    """The bookmarks in a file's bytes; _Corrupt or _Newer when they cannot be used."""
    try:
        data = json.loads(raw.decode("utf-8", "surrogatepass"))
    except UnicodeDecodeError:
        raise _Corrupt("not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _Corrupt(f"invalid JSON at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("bookmarks"), list):
        raise _Corrupt("not a mila bookmarks file")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _Corrupt("no format version")
    if version > FORMAT_VERSION:
        raise _Newer(version)
    bookmarks: list[Bookmark] = data["bookmarks"]
    for b in bookmarks:
        if (
            not isinstance(b, dict)
            or not isinstance(b.get("id"), str)
            or not isinstance(b.get("note"), (str, type(None)))
            or not isinstance(b.get("added"), str)
        ):
            raise _Corrupt("a bookmark without a valid id, note or added time")
    return bookmarks
