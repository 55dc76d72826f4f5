"""Where mila's files are, and the record that lets a TAB read a pack index without click.

Imported by the fast TAB path (mila_cli.fasttab), so it imports nothing but os until
asked for more: no json, no re, no typing (13 ms with what it imports), no click.

The record: after facts.load has loaded and checked MILA_FACTS_PATH's packs with every
pack fact file in the pack index, it writes down every file that load read (path, size,
modification time, inode) and the index's name. A later TAB that finds the same files,
unchanged, knows the load would succeed the same way and that the index holds the packs'
facts, so it answers from the index itself (layout.indexed_offers). Anything else (no
record, a file changed, added or gone, a pack file too small for the index) goes to click.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing's own costs a TAB milliseconds to import
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

_RECORD = ".tab"
# More values than this are not offered by a TAB: a shell would ask to show them all, and
# a pack of a million facts would take seconds to list. Typing more narrows them.
MAX_OFFERS = 1000


def bundled_dir() -> str:
    """Where the bundled facts are: inside the package in a wheel, beside it in a checkout.

    hatchling's force-include copies the top-level facts/ into the wheel as
    mila_cli/facts; an editable install runs from the checkout, where the folder
    stays at the top level.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    inside = os.path.join(here, "facts")
    # Plain os.path, not pathlib: importing pathlib costs milliseconds on every TAB.
    return inside if os.path.isdir(inside) else os.path.join(os.path.dirname(here), "facts")


def json_files(folder: str) -> list[str]:
    """The files a load reads from a folder, in order (raises OSError).

    scandir, not Path.glob: glob compiles a pattern, and every TAB pays for it. Only files
    directly in the folder (the schemas live in a subfolder); regular files only (a named
    pipe would block the read forever); not hidden ones (editors' lock links, .#lab.json).
    """
    with os.scandir(folder) as entries:
        return sorted(
            os.path.join(folder, e.name)
            for e in entries
            if e.name.endswith(".json") and not e.name.startswith(".") and e.is_file()
        )


def folders(pack_dirs: list[str]) -> list[str]:
    """The bundled folder and the pack folders as a load reads them: each real folder once."""
    seen: set[str] = set()
    out = []
    for folder in [bundled_dir(), *pack_dirs]:
        real = os.path.realpath(folder)
        if real not in seen:
            seen.add(real)
            out.append(folder)
    return out


def stamp_rows(paths: Sequence[str]) -> list[list[str | int]] | None:
    """Each file's real path, size, modification and change times and inode; None when one
    cannot be read. The change time too: an edit in place that keeps the size and puts the
    modification time back (cp -p, rsync -t --inplace) still changes it."""
    rows: list[list[str | int]] = []
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            return None
        rows.append([os.path.realpath(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino])
    return rows


def stamps(paths: list[str]) -> str | None:
    """stamp_rows as text, a line each: what the TAB record holds."""
    rows = stamp_rows(paths)
    return None if rows is None else "\n".join("\t".join(map(str, row)) for row in rows)


def file_name(paths: Sequence[str]) -> str:
    """A name for a cache file made from these paths (real paths: 'p' and './p' are one).
    A name, not a secret: zlib costs nothing to import, hashlib 4 ms; what the file says
    inside tells whether it is the one wanted."""
    import zlib

    named = "\n".join(os.path.realpath(p) for p in paths).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(named):08x}{zlib.adler32(named):08x}{len(named):x}"


def _record_path(cache: str, pack_dirs: list[str]) -> str:
    return os.path.join(cache, file_name(pack_dirs) + _RECORD)


def cache_override() -> str | None:
    """The cache folder MILA_CACHE_DIR names, if it names one."""
    override = os.environ.get("MILA_CACHE_DIR")
    return os.path.expanduser(override) if override else None


def _where() -> str:
    """What decides the cache folder (packindex.folder): the variables platformdirs reads."""
    return "\t".join(os.environ.get(k, "") for k in ("MILA_CACHE_DIR", "XDG_CACHE_HOME", "HOME"))


def _cache_guess() -> str:
    """Where the cache folder is, as platformdirs says on Linux, without importing it (its
    import costs a TAB several milliseconds). The record says which folder it was written
    to, for which variables: a wrong guess finds no record that vouches for it."""
    override = cache_override()
    if override:
        return override
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return os.path.join(xdg if xdg.strip() else os.path.expanduser("~/.cache"), "mila")


def write_record(cache: str, pack_dirs: list[str], files: list[str], index: str, before: str | None) -> None:
    """Note that a load of these pack folders read these files and put every pack fact
    in this index (written whole and renamed; a failure only costs later TABs time).
    before: the files' stamps when the load began; if any changed since, nothing is noted."""
    import tempfile

    now = stamps(files)
    if now is None or now != before or "\n" in cache + _where():
        return
    try:
        fd, temporary = tempfile.mkstemp(dir=cache, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(f"{os.path.basename(index)}\n{cache}\n{_where()}\n{now}")
        os.replace(temporary, _record_path(cache, pack_dirs))
    except OSError:
        pass


def _index_for(pack_dirs: list[str]) -> str | None:
    """The index a TAB may read for these pack folders: the record's, if it was written
    for this cache folder and every file is as it was then."""
    cache = _cache_guess()
    try:
        with open(_record_path(cache, pack_dirs), encoding="utf-8", errors="surrogateescape") as handle:
            index, written_in, where, recorded = [*handle.read().split("\n", 3), "", "", ""][:4]
        files = [path for folder in folders(pack_dirs) for path in json_files(folder)]
    except OSError:
        return None
    if (written_in, where) != (cache, _where()) or recorded != stamps(files) or not index or os.sep in index:
        return None
    return os.path.join(cache, index)


def indexed_offers(pack_dirs: list[str], typed: str, category: str | None, most: int) -> list[tuple[str, str]] | None:
    """(id, help) of the indexed pack facts (of a category) whose id, or a name or alias
    or a word of one, begins with typed (folded), in load order, as completion.matching
    finds them; None when no record vouches for the packs (click answers) or the index
    cannot be read. More than most: the first most + 1."""
    path = _index_for(pack_dirs)
    if path is None:
        return None
    import sqlite3

    try:
        db = sqlite3.connect(sqlite_uri(path), uri=True)
        try:
            return [(fact_id, help_) for _, fact_id, help_ in matching(db.execute, typed, category, most)]
        finally:
            db.close()
    except sqlite3.Error:
        return None


def sqlite_uri(path: str) -> str:
    """An index opened read-only and without locks: it is never changed in place (a new
    one is renamed over it). What would end or escape a path in a URI is escaped (urllib's
    quote costs 3 ms to import)."""
    escaped = path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return f"file:{escaped}?mode=ro&immutable=1"


def matching(
    execute: Callable[[str, tuple[object, ...]], Iterable[tuple[int, str, str]]],
    typed: str,
    category: str | None,
    most: int,
    lo: int = 0,
    hi: int = 1 << 62,
) -> list[tuple[int, str, str]]:
    """(number, id, help) of an index's facts numbered lo to hi (of a category) whose id,
    or a name or alias or a word of one, begins with typed (folded), in order: at most
    most + 1 of them (more than most: too many to offer)."""
    end = typed + "\U0010ffff"
    where, args = ("", ()) if category is None else (" AND +category = ?", (category,))
    # The unary + keeps SQLite on the id's index, not the category's; CROSS JOIN takes
    # the words first, then their facts, not every fact of the category.
    rows = [
        *execute(
            f"SELECT idx, id, help FROM facts WHERE id >= ? AND id < ? AND +idx >= ? AND +idx < ?{where} LIMIT ?",
            (typed, end, lo, hi, *args, most + 1),
        ),
        *execute(
            "SELECT DISTINCT facts.idx, facts.id, facts.help FROM names INDEXED BY names_word CROSS JOIN facts"
            f" ON facts.idx = names.idx WHERE word >= ? AND word < ? AND names.idx >= ? AND names.idx < ?{where}"
            " LIMIT ?",
            (typed, end, lo, hi, *args, most + 1),
        ),
    ]
    found = {number: (number, fact_id, help_) for number, fact_id, help_ in rows}
    return [found[n] for n in sorted(found)][: most + 1]
