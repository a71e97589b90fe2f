"""The corpus store: one SQLite file (WAL, FTS5), written one transaction per batch.

Idempotent (inputs keyed by id and raw-bytes hash, articles by clean-text hash), resumable
(a batch is all or nothing), safe with several writers (each transaction holds the write lock
from its start). `Store` owns the connection, the inputs and the near-duplicate index; `add`
calls on the concerns in order: people (`people`), stories (`story_index`); reads are in `queries`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import zlib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .. import neardup as dedup
from ..model import Article
from . import appearances, embeddings, people, queries, quotes, search_index, story_index
from .checkpoints import Checkpointer
from .search_columns import Columns

BUSY_TIMEOUT_MS = 10 * 60 * 1000  # how long a write waits for another ingest's batch to commit
# The writer's page cache (SQLite's default is 2 MB). An insert descends some thirty indexes; past 100,000
# articles their inner pages no longer fit in 2 MB and each descent reads them again: 512 MB made inserts
# about 15% faster at 109,000 articles (benchmarks/RESULTS.md). Pages are taken only as they are read.
WRITER_CACHE_KIB = 512 * 1024


def raw_hash(data: bytes | str) -> str:
    # JSON text may hold a lone surrogate ("\ud800"): hash it as it came rather than fail the whole run.
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(dedup.normalised_words(text)).encode("utf-8")).hexdigest()


@dataclass
class Stored:
    status: str  # "stored" | "duplicate" (same clean text already stored)
    article_id: int
    copy_of: int | None = None  # a new article that is a near copy: the original it copies


def signature_of(article: Article) -> np.ndarray:
    """The near-duplicate signature a worker carried on the article (`embed_stage`) when it signs the
    text as it is now; else computed here (a direct `Store.add`, or an article edited since)."""
    carried = article.carried("signature", article.text)
    return np.asarray(carried, dtype=np.uint64) if carried is not None else dedup.signature(article.text)


def _enter_wal(db: sqlite3.Connection) -> None:
    """WAL mode, set once per file. Switching a new file needs the file to itself, and SQLite fails at once
    instead of calling the busy handler: two ingests creating one store together stopped on "database is
    locked". So the switch is retried, as long as a write would wait."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # or an extended code of it
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Store:
    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = Path(path)
        # Transactions are explicit (see `transaction`): isolation_level=None stops sqlite3 from opening
        # deferred ones of its own, which read first and then lose the race for the write lock.
        if readonly:
            # A URI, escaped: '#', '?' and '%' in a file name are URI syntax ("news#1.db" would open "news").
            uri = f"{self.path.absolute().as_uri()}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        else:
            self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        # Another ingest may hold the write lock for a whole batch: wait for it rather than fail.
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            _enter_wal(self.db)
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
            self.db.execute("PRAGMA wal_autocheckpoint = 0")  # `checkpoints`: copied beside the writer
            schema = resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")
            self.db.executescript(f"BEGIN IMMEDIATE; {schema} COMMIT;")
        self.db.row_factory = sqlite3.Row
        self._checkpoints = None if readonly else Checkpointer(self.path)
        self.dropped_story_vectors = 0  # stories whose vectors another encoder made (remade when next met)
        if not readonly:
            self._number_bands()
            self._match_lsh_layout()
            self._keep_appearances()
            self._track_quotes()
            self._mark_acts()
            self._keep_story_embeddings()
            with self.transaction():  # the CJK index and page types, for stores from before them
                search_index.migrate(self.db)
        # A store from before appearances, opened read-only, cannot be migrated: reads go without them.
        self.kept_appearances = self._has_table("appearances")
        self.kept_quotes = self._has_table("quote_mentions")

    def _number_bands(self) -> None:
        """A store from before band postings were numbers keeps text keys in `bands`: its postings are made
        again from the stored signatures, once, and the old table goes."""
        with self.transaction():
            if self._has_table("bands"):
                self._index_every_band()
                self.db.execute("DROP TABLE bands")

    def _index_every_band(self, batch: int = 20_000) -> None:
        """Every stored signature's band postings, made anew: gathered in a temporary table and written in
        key order (one insert at a time, each posting would land on a page of its own)."""
        self.db.execute("DELETE FROM band_postings")
        self.db.execute("CREATE TEMP TABLE numbered (key INTEGER NOT NULL, article_id INTEGER NOT NULL)")
        last = 0
        while rows := self.db.execute(
            "SELECT article_id, sig FROM signatures WHERE article_id > ? ORDER BY article_id LIMIT ?",
            (last, batch),
        ).fetchall():
            postings = [(k, aid) for aid, sig in rows for k in dedup.band_keys(np.frombuffer(sig, np.uint64))]
            self.db.executemany("INSERT INTO numbered(key, article_id) VALUES (?, ?)", postings)
            last = rows[-1][0]
        self.db.execute(
            "INSERT OR IGNORE INTO band_postings(key, article_id) "
            "SELECT key, article_id FROM numbered ORDER BY key, article_id"
        )
        self.db.execute("DROP TABLE numbered")

    def _match_lsh_layout(self) -> None:
        """Band keys depend on the MinHash settings: when those changed since the store was written,
        rebuild signatures (from the stored clean text) and bands, so old articles stay findable."""
        layout = dedup.layout()
        with self.transaction():  # read inside the write lock: two stores opening at once rebuild once
            written = self._swap_meta("lsh", layout)
            if written is not None and written != layout:
                self._rebuild_signatures()

    def _rebuild_signatures(self, batch: int = 2_000) -> None:
        """Every article's signature from its text, read a batch of ids at a time (a store of a million
        articles would not fit in memory at once), then every band posting."""
        last = 0
        while rows := self.db.execute(
            "SELECT id, text FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
        ).fetchall():
            for article_id, text in rows:
                sig = dedup.signature(text)
                self.db.execute(
                    "UPDATE signatures SET sig = ? WHERE article_id = ?", (sig.tobytes(), article_id)
                )
            last = rows[-1][0]
        self._index_every_band()

    def _keep_appearances(self) -> None:
        """A store written before appearances were kept gets them from its inputs, once."""
        with self.transaction():
            if self._swap_meta("appearances", "kept") is None:
                appearances.backfill(self.db)

    def _track_quotes(self) -> None:
        """A store written before quotes were tracked groups its attributions into quotes, once."""
        with self.transaction():
            quotes.migrate(self.db)
            if self._swap_meta("quotes", "tracked") is None:
                quotes.backfill(self.db)

    def _mark_acts(self) -> None:
        """A store written before attributions said their act gets them from its cues' words, once."""
        with self.transaction():
            if self._swap_meta("acts", "marked") is None:
                quotes.backfill_acts(self.db)

    def _keep_story_embeddings(self) -> None:
        """A store written before stories kept embeddings gets the column, and one written with another
        encoder loses its stories' vectors; each such story's embedding is computed from its members the
        first time an insert compares an article with it (story_index)."""
        with self.transaction():
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(stories)")}
            if "embedding" not in columns:
                self.db.execute("ALTER TABLE stories ADD COLUMN embedding BLOB")
            self._match_story_encoder()

    def _match_story_encoder(self) -> None:
        """Stories' embeddings made by another encoder (a store written before the encoder was retrained)
        are dropped: each is computed again from the story's first members by this encoder the first time
        an insert compares an article with it, so old and new vectors are never compared."""
        current = embeddings.fingerprint()
        if current is None:  # no readable encoder: inserts will say so; reads need none
            return
        if self._swap_meta("story_encoder", current) != current:
            dropped = self.db.execute("UPDATE stories SET embedding = NULL WHERE embedding IS NOT NULL")
            self.dropped_story_vectors = dropped.rowcount

    def _swap_meta(self, key: str, value: str) -> str | None:
        """Record `value` under `key` in the store's meta table; returns what was recorded before (None:
        nothing, a store from before that migration). Call inside a write transaction."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None or row[0] != value:
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
        return None if row is None else str(row[0])

    def _has_table(self, name: str) -> bool:
        found = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return found.fetchone() is not None

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()
        self.db.close()  # the last connection to close copies what is left and removes the log

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing, holding the write lock from the start (BEGIN IMMEDIATE): what is read inside
        (seen inputs, stored hashes) stays true until the commit, whatever other ingests do meanwhile."""
        if self.db.in_transaction:  # nested: part of the enclosing transaction
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:  # SQLite has already rolled back after some errors (a full disk)
                self.db.execute("ROLLBACK")
            raise
        if self._checkpoints is not None:
            self._checkpoints.committed(self.db)

    # ---- ingest -------------------------------------------------------------
    def seen(self, input_id: str, data_hash: str) -> bool:
        """A true repeat: this input, with these bytes, already stored or linked. The same bytes under
        another input are processed and recorded (as a duplicate of the article they repeat); the same
        input with new bytes is processed again. Skipped inputs are tried again: they may have been fixed."""
        row = self.db.execute(
            "SELECT 1 FROM inputs WHERE input_id = ? AND raw_hash = ? AND status != 'skipped'",
            (input_id, data_hash),
        ).fetchone()
        return row is not None

    def record_skip(self, input_id: str, data_hash: str, reason: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO inputs(input_id, raw_hash, status, reason) VALUES (?, ?, 'skipped', ?)",
            (input_id, data_hash, reason),
        )

    def add(self, input_id: str, data_hash: str, article: Article) -> Stored:
        """Store one processed page, all or nothing (within the caller's transaction, if any)."""
        with self.transaction():
            digest = text_hash(article.text)
            existing = self._article_with_hash(digest)
            if existing is not None:  # the same clean text is stored already: link the input to it
                self._record_input(input_id, data_hash, "duplicate", existing)
                appearances.record(self.db, input_id, existing, article)
                return Stored("duplicate", existing)
            article_id = self._insert_article(digest, article)
            search_index.add(self.db, article_id, article)
            sig = signature_of(article)
            bands = dedup.band_keys(sig)  # looked up, then indexed: hashed once
            near = self._near_duplicate(sig, bands)
            copy_of = self._link_near_duplicate(article_id, article.published, near)
            self._index_signature(article_id, sig, bands)
            entity_ids = people.merge_entities(self.db, article)
            people.add_attributions(self.db, article_id, article, entity_ids)
            people.add_descriptors(self.db, article_id, article, entity_ids)
            story = story_index.assign_story(self.db, article, same_story_as=near)
            self._write_record(article_id, article, copy_of, story)
            self._record_input(input_id, data_hash, "stored", article_id)
            appearances.record(self.db, input_id, article_id, article)
            return Stored("stored", article_id, copy_of)

    def _article_with_hash(self, digest: str) -> int | None:
        row = self.db.execute("SELECT id FROM articles WHERE content_hash = ?", (digest,)).fetchone()
        return int(row["id"]) if row is not None else None

    def _insert_article(self, digest: str, article: Article) -> int:
        """The article's row; its record, near-duplicate link and story are written once known."""
        cursor = self.db.execute(
            "INSERT INTO articles(content_hash, url, outlet, title, published, language, text, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, x'')",
            (
                digest,
                article.url,
                article.outlet,
                article.title,
                article.published,
                article.language,
                article.text,
            ),
        )
        return int(cursor.lastrowid or 0)

    def _link_near_duplicate(self, article_id: int, published: str | None, copy_of: int | None) -> int | None:
        """The original this article copies (`copy_of`, its group's original), if any. Crawls arrive out of
        order: an earlier-dated copy becomes the original of its group (and is then nobody's copy)."""
        if copy_of is not None and self._published_earlier(published, copy_of):
            self.db.execute(
                "UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ? OR id = ?",
                (article_id, copy_of, copy_of),
            )
            return None
        return copy_of

    def _near_duplicate(self, sig: np.ndarray, keys: list[int] | None = None) -> int | None:
        """The original of the first stored article whose signature matches by the shipped rule; `keys`:
        the signature's band keys, when the caller has them."""
        keys = dedup.band_keys(sig) if keys is None else keys
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            "SELECT DISTINCT s.article_id, s.sig FROM band_postings b "
            "JOIN signatures s ON s.article_id = b.article_id "
            f"WHERE b.key IN ({marks}) ORDER BY s.article_id",
            keys,
        ).fetchall()
        for row in rows:
            if dedup.is_copy(sig, np.frombuffer(row["sig"], dtype=np.uint64)):
                original = self.db.execute(
                    "SELECT duplicate_of FROM articles WHERE id = ?", (row["article_id"],)
                ).fetchone()
                return int(original["duplicate_of"] or row["article_id"])
        return None

    def _published_earlier(self, published: str | None, article_id: int) -> bool:
        """Dates before 1990 or in the future decide nothing (appearances.usable_date)."""
        row = self.db.execute("SELECT published FROM articles WHERE id = ?", (article_id,)).fetchone()
        mine, theirs = appearances.usable_date(published), appearances.usable_date(row["published"])
        return bool(mine and theirs and mine < theirs)

    def _index_signature(self, article_id: int, sig: np.ndarray, bands: list[int]) -> None:
        self.db.execute("INSERT INTO signatures(article_id, sig) VALUES (?, ?)", (article_id, sig.tobytes()))
        self.db.executemany(
            "INSERT OR IGNORE INTO band_postings(key, article_id) VALUES (?, ?)",
            [(key, article_id) for key in bands],
        )

    def _write_record(self, article_id: int, article: Article, copy_of: int | None, story: int) -> None:
        article.duplicate_of = str(copy_of) if copy_of else None
        record = zlib.compress(article.model_dump_json().encode("utf-8"), 6)  # removed blocks compress well
        self.db.execute(
            "UPDATE articles SET record = ?, duplicate_of = ?, story_id = ? WHERE id = ?",
            (record, copy_of, story, article_id),
        )

    def _record_input(self, input_id: str, data_hash: str, status: str, article_id: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO inputs(input_id, raw_hash, status, article_id) VALUES (?, ?, ?, ?)",
            (input_id, data_hash, status, article_id),
        )

    # ---- reads (corpus/queries.py) ---------------------------------------------
    def counts(self) -> dict[str, int]:
        return queries.counts(self.db)

    def search(
        self, query: str, limit: int = 20, marks: tuple[str, str] = ("[", "]"), all_copies: bool = False
    ) -> list[dict[str, Any]]:
        return queries.search(self.db, query, limit, marks, all_copies, self.kept_appearances)

    def search_page(
        self,
        request: queries.SearchRequest,
        marks: tuple[str, str] = ("[", "]"),
        columns: Columns | None = None,
    ) -> dict[str, Any]:
        """One page of results for the query language (query_language.py), with filters, sort and counts;
        `columns`: a server's fresh search columns (search_columns.ColumnCache)."""
        return queries.search_page(self.db, request, marks, self.kept_appearances, columns)

    def entity_ids(self, name: str) -> list[int]:
        return queries.entity_ids(self.db, name)

    def who_said(
        self, name: str, limit: int = 200, every: bool = False, acts: Collection[str] | None = None
    ) -> list[dict[str, Any]]:
        """One row per quote with its spread (outlets, first appearance), or with `every` each occurrence;
        `acts`: only those acts (quotes.QUOTED_ACTS: what was said or written). A store from before quotes,
        opened read-only, lists occurrences without quote ids."""
        ids = queries.entity_ids(self.db, name)
        return quotes.who_said(self.db, ids, name, limit, every, tracked=self.kept_quotes, acts=acts)

    def quote(self, quote_id: int) -> dict[str, Any] | None:
        return quotes.record(self.db, quote_id) if self.kept_quotes else None

    def quote_merged_into(self, quote_id: int) -> int | None:
        return quotes.merged_into(self.db, quote_id) if self.kept_quotes else None

    def stories(self, limit: int = 100, min_size: int = 1) -> list[dict[str, Any]]:
        return queries.stories(self.db, limit, min_size)

    def story(
        self, story_id: int, limit: int = queries.STORY_ARTICLES_SHOWN, offset: int = 0
    ) -> dict[str, Any] | None:
        return queries.story(self.db, story_id, self.kept_appearances, limit, offset)

    def article(self, article_id: int) -> dict[str, Any] | None:
        return queries.article(self.db, article_id, self.kept_appearances)

    def article_exists(self, article_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def appearances(self, article_id: int) -> list[dict[str, Any]]:
        """Where the article's text appeared (its near copies' too), the original first."""
        return appearances.timeline(self.db, article_id) if self.kept_appearances else []
