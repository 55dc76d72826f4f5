"""A cache of large pack files, parsed and validated, in the user's cache folder.

A pack file of over a mebibyte is read once as JSON and checked fact by fact; what came
out is kept (marshal, which Python reads back several times faster) under a name made
from the file's path, and used again while the file's size, modification time and inode
are the same. It is never needed: a missing, stale, corrupt or unwritable cache only costs
the time of reading the file again, and `rm -r` of the folder is always safe. The folder
is MILA_CACHE_DIR, else platformdirs' user cache folder for mila (~/.cache/mila on Linux);
it is made 0700 and its files 0600, and each is written whole to a temporary file and
renamed, so two mila at once never see half of one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

FORMAT = 1
MIN_BYTES = 1 << 20  # a smaller file is read about as fast as its cache would be


def folder() -> str:
    """Where the cache lives (it may not exist yet)."""
    override = os.environ.get("MILA_CACHE_DIR")
    if override:
        return os.path.expanduser(override)
    import platformdirs

    return platformdirs.user_cache_dir("mila", appauthor=False)


def _stamp(path: str) -> tuple[Any, ...] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (FORMAT, tuple(sys.version_info[:2]), os.path.realpath(path), info.st_size, info.st_mtime_ns, info.st_ino)


def load(path: str, read: Callable[[], list[Any]]) -> list[Any]:
    """The facts of the pack file at path: from the cache when it still holds this very
    file, else from read() (which parses and validates it), kept for next time."""
    stamp = _stamp(path)
    if stamp is None or stamp[3] < MIN_BYTES:
        return read()
    import hashlib
    import marshal

    try:
        where = folder()
    except Exception:  # no home to put a cache in (platformdirs, expanduser): do without
        return read()
    cached = os.path.join(where, hashlib.sha256(str(stamp[2]).encode()).hexdigest()[:32] + ".facts")
    try:
        with open(cached, "rb") as handle:
            data = handle.read()  # marshal.load reads a file piece by piece: several times slower
        kept = _unmarshal(data)
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == stamp and isinstance(kept[1], list):
            return kept[1]
    except (OSError, EOFError, ValueError, TypeError):  # none yet, or not one we wrote
        pass
    facts = read()
    if _stamp(path) == stamp:  # not changed while it was read
        _keep(where, cached, marshal.dumps((stamp, facts)))
    return facts


def _unmarshal(data: bytes) -> Any:
    import gc
    import marshal

    # Many containers and no garbage: the collector's passes over them would cost a third.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return marshal.loads(data)
    finally:
        if collecting:
            gc.enable()


def _keep(where: str, cached: str, data: bytes) -> None:
    import tempfile

    try:
        os.makedirs(where, mode=0o700, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=where, prefix=".", suffix=".tmp")  # 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, cached)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:  # a full disk, a read-only home: the cache is only ever a saving
        pass
