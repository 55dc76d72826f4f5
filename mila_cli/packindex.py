"""The index of large pack files: one SQLite database in the user's cache folder.

A run's pack files of over a mebibyte are read and validated once, together, into one
database: each fact as stored (JSON) with its id, category, source and year, and for
search every word of each fact's searchable text (search.doc_of) with the facts that
hold it. Later runs read only what they ask for: `show` one row, a search the facts
that hold its words, so a pack of a million facts is never loaded whole.

The database is named for the files' real paths and used while each file's size,
modification time and inode are what it records; else it is made again. It is never
needed: a missing, stale, corrupt or unwritable index only costs the time of reading
the files (facts.load then reads them as it reads small ones). It is written whole to a
temporary file and renamed, so two mila at once never see half of one (each may make
its own; the last rename wins, and both are whole). The folder is MILA_CACHE_DIR, else
platformdirs' user cache folder for mila (~/.cache/mila on Linux), made 0700, files 0600.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from mila_cli.errors import DataError
from mila_cli.layout import cache_override, file_name, matching, sqlite_uri, stamp_rows

if TYPE_CHECKING:
    import sqlite3
    from array import array

    from mila_cli.facts import Fact, FileReader

FORMAT = 4  # bump when what is stored or how text is read into words changes
MIN_BYTES = 1 << 20  # a smaller file is read about as fast as its index would be
TOTAL_BYTES = 8 << 20  # pack fact files that hold this much together are all indexed
# A TAB makes an index of at most this much (a few seconds); a larger one waits for a command.
TAB_BUILD_BYTES = 16 << 20
# Where language.word_set finds words that are not runs of letters and digits:
# numbers with separators (1,200) and hyphenated words (rl-lab, also rllab).
_SPECIAL = re.compile(r"[0-9][,.][0-9]|[-‐‑]")
_BATCH = 2000  # facts written per statement, and read per query when listing
_CHUNK = 100_000  # facts whose words are gathered in memory before they are written
_MAX_CACHED = 4096  # facts kept decoded per run, for search's repeated looks at its candidates

Progress = Callable[[int, int], None]  # (bytes done, bytes in all): how far a build is


def folder() -> str:
    """Where the index lives (it may not exist yet)."""
    override = cache_override()
    if override:
        return override
    import platformdirs

    return platformdirs.user_cache_dir("mila", appauthor=False)


def worth_indexing(paths: Sequence[str]) -> dict[str, int]:
    """The pack fact files to read through the index, with their sizes: each of at least
    MIN_BYTES, or all of them when together they hold TOTAL_BYTES (a pack split into many
    small files is as slow to read as a few large ones). A file that is not a regular
    file, or cannot be read, is left to the plain reader, which says what is wrong with it."""
    import stat

    sizes: dict[str, int] = {}
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            sizes[path] = info.st_size
    if sum(sizes.values()) >= TOTAL_BYTES:
        return sizes
    return {path: size for path, size in sizes.items() if size >= MIN_BYTES}


def _version() -> list[Any]:
    # fold and the word pattern follow Python's Unicode tables: another Python, another index.
    return [FORMAT, list(sys.version_info[:2])]


class Store:
    """The facts of a run's large pack files, read from their index as they are asked for.
    Facts are numbered from 0 in load order (local numbers); `files` says which file each
    range of numbers came from."""

    def __init__(self, path: str, connection: sqlite3.Connection, meta: dict[str, Any]) -> None:
        self.path = path
        self._db = connection
        self.files: list[tuple[str, int, int]] = [(p, lo, hi) for p, lo, hi in meta["files"]]
        # Per file, each category in order of first appearance, with its number of facts.
        self.categories: list[dict[str, int]] = meta["categories"]
        self.cited: dict[str, int] = meta["cited"]  # source id -> the first fact citing it
        # Conflict links to ids the index does not hold: (number, id, other id).
        self.outside: list[tuple[int, str, str]] = [(n, a, b) for n, a, b in meta["outside"]]
        self._cache: dict[int, Fact] = {}
        self._words: set[str] | None = None

    def ranges(self) -> list[Range]:
        return [Range(self, path, lo, hi, k) for k, (path, lo, hi) in enumerate(self.files)]

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        import sqlite3

        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            self._damaged(exc)

    def _damaged(self, problem: object) -> NoReturn:
        """An index that cannot be read is removed (the next run makes it again), and said so."""
        _remove(self.path)
        raise DataError(f"the pack index {self.path} was damaged ({problem}) and is removed; run the command again")

    def _decoded(self, data: str) -> Fact:
        try:
            fact = json.loads(data)
        except ValueError as exc:
            self._damaged(exc)
        if not isinstance(fact, dict):
            self._damaged("a fact that is not an object")
        return fact

    def fact(self, number: int) -> Fact:
        found = self._cache.get(number)
        if found is None:
            rows = self._query("SELECT data FROM facts WHERE idx = ?", (number,))
            if not rows:
                self._damaged(f"no fact {number}")
            found = self._decoded(rows[0][0])
            if len(self._cache) < _MAX_CACHED:
                self._cache[number] = found
        return found

    def rows(self, lo: int, hi: int, where: str = "", args: Sequence[Any] = ()) -> Iterator[tuple[int, Fact]]:
        """(number, fact) from lo to hi (excluded) in order, read a batch at a time."""
        for number, data in self._paged("data", lo, hi, where, args):
            yield number, self._cache.get(number) or self._decoded(data)

    def _paged(self, column: str, lo: int, hi: int, where: str = "", args: Sequence[Any] = ()) -> Iterator[Any]:
        """(number, column) of the facts from lo to hi (excluded) in order, a batch per query."""
        start = lo
        while start < hi:
            batch = self._query(
                f"SELECT idx, {column} FROM facts WHERE idx >= ? AND idx < ? {where} ORDER BY idx LIMIT {_BATCH}",
                (start, hi, *args),
            )
            if not batch:
                return
            yield from batch
            start = batch[-1][0] + 1

    def find(self, fact_id: str) -> int | None:
        rows = self._query("SELECT idx FROM facts WHERE id = ?", (fact_id,))
        return rows[0][0] if rows else None

    def file_of(self, number: int) -> str:
        return next(path for path, lo, hi in self.files if lo <= number < hi)

    def present(self, ids: Sequence[str]) -> dict[str, int]:
        """Which of these ids the index holds, with their numbers."""
        found: dict[str, int] = {}
        for start in range(0, len(ids), 500):  # SQLite takes a bounded number of parameters
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._query(f"SELECT id, idx FROM facts WHERE id IN ({marks})", chunk))
        return found

    def ids(self, lo: int, hi: int) -> Iterator[str]:
        return (fact_id for _, fact_id in self._paged("id", lo, hi))

    def citing(self, source_id: str) -> int:
        return int(self._query("SELECT count(*) FROM facts WHERE source = ?", (source_id,))[0][0])

    def links(self, fact_id: str) -> list[tuple[int, str, str]]:
        """The conflict links that name this fact, either side: (declaring fact's number, a, b)."""
        return [
            tuple(row)
            for row in self._query(
                "SELECT pos, a, b FROM links WHERE a = ? OR b = ? ORDER BY rowid", (fact_id, fact_id)
            )
        ]

    # Search ------------------------------------------------------------------

    def starts(self, needle: str, most: int) -> tuple[int, list[int]]:
        """How many words of the facts' searchable text begin with needle, and the facts
        (numbers, ascending, each once) that hold one: none when more than most do."""
        low, high = needle, needle + "\U0010ffff"
        rows = self._query("SELECT sum(n) FROM runs WHERE word >= ? AND word < ?", (low, high))
        total = int(rows[0][0] or 0)
        return total, self._holders(low, high) if 0 < total <= most else []

    def holders(self, word: str) -> list[int]:
        """The facts (numbers, ascending) whose searchable text holds this very word."""
        return self._holders(word, word + "\x00")

    def _holders(self, low: str, high: str) -> list[int]:
        from array import array

        found: set[int] = set()
        for (blob,) in self._query("SELECT facts FROM runs WHERE word >= ? AND word < ?", (low, high)):
            numbers = array("i")
            numbers.frombytes(blob)
            found.update(numbers)
        return sorted(found)

    def forms(self, prefix: str) -> list[str]:
        """The distinct words of the facts' text that begin with prefix."""
        return [
            w
            for (w,) in self._query(
                "SELECT word FROM runs WHERE word >= ? AND word < ?", (prefix, prefix + "\U0010ffff")
            )
        ]

    def words(self) -> set[str]:
        """Every word of the facts' text and its hyphen-free compounds (language.word_set)."""
        if self._words is None:
            rows = self._query("SELECT value FROM meta WHERE key = 'words'")
            self._words = set(json.loads(rows[0][0]).split("\n")) - {""} if rows else set()
        return self._words


class Range(Sequence["Fact"]):
    """The facts of one pack file, as a sequence read from the index."""

    def __init__(self, store: Store, path: str, lo: int, hi: int, file_number: int) -> None:
        self.store, self.path, self.lo, self.hi, self._file = store, path, lo, hi, file_number

    def __len__(self) -> int:
        return self.hi - self.lo

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.store.fact(self.lo + index)

    def __iter__(self) -> Iterator[Fact]:
        return (fact for _, fact in self.store.rows(self.lo, self.hi))

    def ids(self) -> Iterator[str]:
        return self.store.ids(self.lo, self.hi)

    def categories(self) -> dict[str, int]:
        """Each category of the file, in order of first appearance, with its number of facts."""
        return self.store.categories[self._file]

    def matching(self, typed: str, category: str | None, most: int) -> list[tuple[int, Fact]] | None:
        """(number, fact) of the facts whose id, or a name or alias or a word of one,
        begins with typed (folded), in order; None when there are more than most."""
        found = matching(self.store._query, typed, category, most, self.lo, self.hi)
        if len(found) > most:
            return None
        return [(n, self.store.fact(n)) for n, _, _ in found]

    def holding(self, words: set[str]) -> list[Fact]:
        """The file's facts whose searchable text holds one of these words, in order."""
        numbers = sorted({n for word in words for n in self.store.holders(word) if self.lo <= n < self.hi})
        return [self.store.fact(n) for n in numbers]

    def select(self, category: str | None = None, *, dated: bool = False) -> list[Fact]:
        """The facts of a category, or those with a year, in order."""
        if dated:
            return [f for _, f in self.store.rows(self.lo, self.hi, "AND year IS NOT NULL")]
        return [f for _, f in self.store.rows(self.lo, self.hi, "AND category = ?", (category,))]


def open_store(
    paths: Sequence[str], read: Callable[[str], FileReader], progress: Progress | None = None, *, build: bool = True
) -> Store | None:
    """The index of these pack files: opened when it still holds these very files, else
    made (reading each with read(), which validates it) unless not to build. None when
    there is no index: the caller reads the files itself. A DataError from read() is
    raised as it is."""
    stamps = stamp_rows(paths)
    if stamps is None:
        return None
    try:
        where = folder()
    except Exception:  # no home to put a cache in (platformdirs, expanduser): do without
        return None
    target = os.path.join(where, file_name(paths) + ".sqlite")  # the stamps inside say which files
    store = _open(target, stamps)
    if store is None and not build:
        return None
    if store is None:
        try:
            os.makedirs(where, mode=0o700, exist_ok=True)
        except OSError:
            return None
        if not _build(where, target, list(paths), stamps, read, progress):
            return None
        store = _open(target, stamps)
    if store is not None:
        # The same files, maybe named another way this time ('p' or './p', a link): the
        # names this run gave them, in the same order (the stamps hold real paths).
        store.files = [(path, lo, hi) for path, (_, lo, hi) in zip(paths, store.files, strict=True)]
    return store


def _open(target: str, stamps: list[list[Any]]) -> Store | None:
    import sqlite3

    if not os.path.isfile(target):
        return None
    try:
        # immutable: the file is never changed in place (a new one is renamed over it).
        connection = sqlite3.connect(sqlite_uri(target), uri=True, check_same_thread=False)
        rows = connection.execute("SELECT key, value FROM meta WHERE key IN ('version', 'stamps', 'store')").fetchall()
    except sqlite3.Error:
        return None
    try:
        meta = {key: json.loads(value) for key, value in rows}
    except ValueError:  # damaged: made again
        connection.close()
        return None
    if meta.get("version") != _version() or meta.get("stamps") != stamps or "store" not in meta:
        connection.close()
        return None
    return Store(target, connection, meta["store"])


def _build(
    where: str,
    target: str,
    paths: list[str],
    stamps: list[list[Any]],
    read: Callable[[str], FileReader],
    progress: Progress | None,
) -> bool:
    """Write the index of these files to target; False when it cannot be written."""
    import sqlite3
    import tempfile

    _sweep(where)
    temporary = ""
    try:
        fd, temporary = tempfile.mkstemp(dir=where, prefix=".", suffix=".tmp")  # 0600
        os.close(fd)
        connection = sqlite3.connect(temporary, isolation_level=None)  # transactions as _fill says
        try:
            _fill(connection, paths, stamps, read, progress)
        finally:
            connection.close()
        if stamp_rows(paths) != stamps:  # a file changed while it was read: keep nothing
            return False
        os.replace(temporary, target)
        temporary = ""  # in place: nothing left to remove
        return True
    except (OSError, sqlite3.Error):  # a full disk, a read-only folder: the index is only a saving
        return False
    finally:
        if temporary:
            _remove(temporary)  # a build that did not end in place leaves nothing


_STALE = 600  # seconds: a build writes its temporary file all the time; one untouched this long was cut short


def _sweep(where: str) -> None:
    """Remove what builds cut short left behind (a kill, a Ctrl-C during a TAB): their
    temporary files, once nothing has written to them for a while."""
    import time

    try:
        with os.scandir(where) as entries:
            for entry in entries:
                if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        if time.time() - entry.stat().st_mtime > _STALE:
                            _remove(entry.path)
    except OSError:
        pass


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


_SCHEMA = """
    PRAGMA journal_mode = OFF;
    PRAGMA synchronous = OFF;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE facts (
        idx INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, category TEXT NOT NULL,
        source TEXT NOT NULL, year INTEGER, file INTEGER NOT NULL, data TEXT NOT NULL,
        help TEXT NOT NULL);
    CREATE TABLE links (pos INTEGER NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL);
    CREATE TABLE names (word TEXT NOT NULL, idx INTEGER NOT NULL);
    CREATE TABLE runs (word TEXT PRIMARY KEY, n INTEGER NOT NULL, facts BLOB NOT NULL) WITHOUT ROWID;
    CREATE TEMP TABLE parts (word TEXT NOT NULL, n INTEGER NOT NULL, facts BLOB NOT NULL);
    CREATE TEMP TABLE known (word TEXT NOT NULL);
    BEGIN;
"""


class _Builder:
    """What an index gathers while its files are read: the words of the facts' text,
    each with how often it occurs and the facts that hold it. Every fact's id is a word
    of its own, so a million facts have a million words: they are gathered _CHUNK facts
    at a time, written, and put together by SQLite at the end, so that memory stays
    bounded whatever the size of the pack."""

    def __init__(self, db: sqlite3.Connection, paths: list[str]) -> None:
        self.db = db
        self.paths = paths
        self.postings: dict[str, array[int]] = {}
        self.occurrences: dict[str, int] = {}
        self.words: set[str] = set()
        self.gathered = 0  # facts whose words are in postings, not yet written
        self.files: list[tuple[str, int, int]] = []
        self.categories: list[list[str]] = []
        self.cited: dict[str, int] = {}
        self.number = 0

    def add_file(self, file_number: int, reader: FileReader, done: Callable[[float], None]) -> None:
        """Index one file's facts, a batch at a time; done(share) hears how far it is."""
        import itertools

        first = self.number
        kinds: dict[str, None] = {}
        facts = iter(reader)
        while batch := list(itertools.islice(facts, _BATCH)):
            kinds.update(dict.fromkeys(fact["category"] for fact in batch))
            self._write(file_number, batch)
            done(reader.position / max(len(reader), 1))
        self.files.append((self.paths[file_number], first, self.number))
        self.categories.append(list(kinds))

    def _write(self, file_number: int, batch: list[Fact]) -> None:
        import sqlite3
        from array import array

        from mila_cli.completion import help_text as completion_help
        from mila_cli.language import RUN, word_set
        from mila_cli.search import doc_of
        from mila_cli.text import fold, words

        rows = []
        links = []
        names: list[tuple[str, int]] = []
        for fact in batch:
            number = self.number
            doc = doc_of(fact)
            runs = RUN.findall(doc)
            occurrences = self.occurrences
            for word in runs:
                occurrences[word] = occurrences.get(word, 0) + 1
            distinct = dict.fromkeys(runs)
            for word in distinct:
                held = self.postings.get(word)
                if held is None:
                    self.postings[word] = held = array("i")
                held.append(number)
            # What a typo may mean (language.word_set of all the text): a fact's words as
            # they are, unless a number with separators or a hyphenated word makes more.
            if _SPECIAL.search(doc):
                self.words |= word_set(doc)
            else:
                self.words.update(distinct)
            self.gathered += 1
            # What TAB matches besides the id: a name or alias, or a word of one (completion.matches).
            for name in (fact.get("name"), *fact.get("aliases", ())):
                if name:
                    folded = fold(name)
                    names += [(word, number) for word in {folded, *words(folded)}]
            self.cited.setdefault(fact["source"], number)
            links += [(number, fact["id"], other) for other in fact.get("conflicts_with", ())]
            year = fact.get("year")
            year = year if isinstance(year, int) else None
            data = json.dumps(fact, ensure_ascii=False)
            offered = completion_help(fact.get("name") or fact["text"])  # what TAB shows beside the id
            rows.append((number, fact["id"], fact["category"], fact["source"], year, file_number, data, offered))
            self.number += 1
        try:
            self.db.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.IntegrityError:
            _duplicate(self.db, rows, self.paths)
            raise
        self.db.executemany("INSERT INTO links VALUES (?, ?, ?)", links)
        self.db.executemany("INSERT INTO names VALUES (?, ?)", names)
        if self.gathered >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        """Write the words gathered so far, and start again."""
        self.db.executemany(
            "INSERT INTO temp.parts VALUES (?, ?, ?)",
            ((word, self.occurrences[word], held.tobytes()) for word, held in self.postings.items()),
        )
        self.db.executemany("INSERT INTO temp.known VALUES (?)", ((word,) for word in self.words))
        self.postings, self.occurrences, self.words = {}, {}, set()
        self.gathered = 0

    def finish(self, stamps: list[list[Any]]) -> None:
        db = self.db
        self._flush()
        # Each word's parts in the order they were written (rowid): its facts stay ascending.
        parts = db.execute("SELECT word, n, facts FROM temp.parts ORDER BY word, rowid")
        db.executemany("INSERT INTO runs VALUES (?, ?, ?)", _joined_parts(parts))
        words = [word for (word,) in db.execute("SELECT DISTINCT word FROM temp.known ORDER BY word")]
        db.execute("CREATE INDEX facts_category ON facts (category, idx)")
        db.execute("CREATE INDEX names_word ON names (word)")
        counts = {
            (f, c): n for f, c, n in db.execute("SELECT file, category, count(*) FROM facts GROUP BY file, category")
        }
        db.execute("CREATE INDEX links_a ON links (a)")
        db.execute("CREATE INDEX links_b ON links (b)")
        outside = db.execute(
            "SELECT pos, a, b FROM links WHERE b NOT IN (SELECT id FROM facts) ORDER BY rowid"
        ).fetchall()
        store = {
            "files": self.files,
            "categories": [{kind: counts[k, kind] for kind in kinds} for k, kinds in enumerate(self.categories)],
            "cited": self.cited,
            "outside": outside,
        }
        meta = {
            "version": _version(),
            "stamps": stamps,
            "store": store,
            "words": "\n".join(words),
        }
        rows = ((k, json.dumps(v, ensure_ascii=False)) for k, v in meta.items())
        db.executemany("INSERT INTO meta VALUES (?, ?)", rows)
        db.execute("COMMIT")


def _joined_parts(parts: Iterable[tuple[str, int, bytes]]) -> Iterator[tuple[str, int, bytes]]:
    """(word, occurrences, facts) from its parts, which come sorted by word."""
    word: str | None = None
    count, blobs = 0, list[bytes]()
    for part_word, n, blob in parts:
        if part_word != word:
            if word is not None:
                yield word, count, b"".join(blobs)
            word, count, blobs = part_word, 0, []
        count += n
        blobs.append(blob)
    if word is not None:
        yield word, count, b"".join(blobs)


def _fill(
    db: sqlite3.Connection,
    paths: list[str],
    stamps: list[list[Any]],
    read: Callable[[str], FileReader],
    progress: Progress | None,
) -> None:
    db.executescript(_SCHEMA)
    builder = _Builder(db, paths)
    total = sum(s[1] for s in stamps) or 1
    before = 0  # bytes of the files already indexed
    if progress:
        progress(0, total)
    for file_number, stamp in enumerate(stamps):
        size = stamp[1]

        def done(share: float, before: int = before, size: int = size) -> None:
            if progress:  # reading is nine tenths of the work; putting the words together, the last
                progress(int(0.9 * (before + size * share)), total)

        builder.add_file(file_number, read(paths[file_number]), done)
        before += size
    builder.finish(stamps)
    if progress:
        progress(total, total)


def _duplicate(db: sqlite3.Connection, rows: list[tuple[Any, ...]], paths: list[str]) -> None:
    """Raise the DataError for the first id of a batch of rows (number, id, ..., file, ...)
    that an earlier batch holds or the batch repeats. Some of the batch's rows may be
    written already (there is no journal to roll back): only earlier numbers count."""
    first = rows[0][0]
    seen: set[str] = set()
    for row in rows:
        fact_id, path = row[1], paths[row[5]]
        earlier = db.execute("SELECT file FROM facts WHERE id = ? AND idx < ?", (fact_id, first)).fetchall()
        if earlier or fact_id in seen:
            raise DataError(f"duplicate id '{fact_id}' in {paths[earlier[0][0]] if earlier else path} and {path}")
        seen.add(fact_id)
