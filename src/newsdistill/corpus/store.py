"""The corpus store: one SQLite file (WAL, FTS5), written one transaction per batch.

Idempotent (inputs keyed by id and raw-bytes hash, articles by clean-text hash), resumable
(a batch is all or nothing), with near-duplicates linked to their earliest copy, entities
merged across articles, attributions indexed by speaker and articles grouped into stories.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .. import neardup as dedup
from ..entities.names import HONORIFICS, ROLE_NOUNS
from ..model import Article, Entity
from . import stories

STORY_CANDIDATES = 50  # stories sharing most strong terms that an article is compared with
# A term shared by more stories than this is found through its newest ones only (news stories are recent).
POSTINGS_PER_TERM = 300
SEARCH_WINDOW = 20_000  # matches of one query that are ranked (the newest)
BUSY_TIMEOUT_MS = 10 * 60 * 1000  # how long a write waits for another ingest's batch to commit


def raw_hash(data: bytes | str) -> str:
    # JSON text may hold a lone surrogate ("\ud800"): hash it as it came rather than fail the whole run.
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(dedup.normalise(text)).encode("utf-8")).hexdigest()


@dataclass
class Stored:
    status: str  # "stored" | "duplicate" (same clean text already stored)
    article_id: int


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
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            schema = resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")
            self.db.executescript(f"BEGIN IMMEDIATE; {schema} COMMIT;")
        self.db.row_factory = sqlite3.Row
        if not readonly:
            self._match_lsh_layout()

    def _match_lsh_layout(self) -> None:
        """Band keys depend on the MinHash settings: when those changed since the store was written,
        rebuild signatures (from the stored clean text) and bands, so old articles stay findable."""
        layout = dedup.layout()
        with self.transaction():  # read inside the write lock: two stores opening at once rebuild once
            row = self.db.execute("SELECT value FROM meta WHERE key = 'lsh'").fetchone()
            if row is not None and row[0] == layout:
                return
            if row is not None:
                self.db.execute("DELETE FROM bands")
                for article_id, text in self.db.execute("SELECT id, text FROM articles ORDER BY id").fetchall():
                    sig = dedup.signature(text)
                    self.db.execute("UPDATE signatures SET sig = ? WHERE article_id = ?", (sig.tobytes(), article_id))
                    self.db.executemany("INSERT INTO bands(band_key, article_id) VALUES (?, ?)",
                                        [(key, article_id) for key in dedup.band_keys(sig)])
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('lsh', ?)", (layout,))

    def close(self) -> None:
        self.db.close()

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

    # ---- ingest -------------------------------------------------------------
    def seen(self, input_id: str, data_hash: str) -> bool:
        """A true repeat: this input, with these bytes, already stored or linked. The same bytes under
        another input are processed and recorded (as a duplicate of the article they repeat); the same
        input with new bytes is processed again. Skipped inputs are tried again: they may have been fixed."""
        row = self.db.execute("SELECT 1 FROM inputs WHERE input_id = ? AND raw_hash = ? AND status != 'skipped'",
                              (input_id, data_hash)).fetchone()
        return row is not None

    def record_skip(self, input_id: str, data_hash: str, reason: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO inputs(input_id, raw_hash, status, reason) VALUES (?, ?, 'skipped', ?)",
                        (input_id, data_hash, reason))

    def add(self, input_id: str, data_hash: str, article: Article) -> Stored:
        """Store one processed page (call inside a transaction)."""
        digest = text_hash(article.text)
        existing = self.db.execute("SELECT id FROM articles WHERE content_hash = ?", (digest,)).fetchone()
        if existing is not None:
            self._record_input(input_id, data_hash, "duplicate", existing["id"])
            return Stored("duplicate", existing["id"])
        sig = dedup.signature(article.text)
        article.duplicate_of = None
        cursor = self.db.execute(
            "INSERT INTO articles(content_hash, url, outlet, title, published, language, text, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, x'')",
            (digest, article.url, article.outlet, article.title, article.published, article.language, article.text),
        )
        article_id = int(cursor.lastrowid or 0)
        copy_of = self._near_duplicate(sig)
        if copy_of is not None and self._published_earlier(article.published, copy_of):
            # Crawls arrive out of order: an earlier-dated copy becomes the original of its group.
            self.db.execute("UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ? OR id = ?",
                            (article_id, copy_of, copy_of))
            copy_of = None
        self._index_signature(article_id, sig)
        entity_ids = self._merge_entities(article)
        self._add_attributions(article_id, article, entity_ids)
        story = self._assign_story(article, list(entity_ids.values()))
        article.duplicate_of = str(copy_of) if copy_of else None
        record = zlib.compress(article.model_dump_json().encode("utf-8"), 6)  # removed blocks compress well
        self.db.execute("UPDATE articles SET record = ?, duplicate_of = ?, story_id = ? WHERE id = ?",
                        (record, copy_of, story, article_id))
        self._record_input(input_id, data_hash, "stored", article_id)
        return Stored("stored", article_id)

    def _record_input(self, input_id: str, data_hash: str, status: str, article_id: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO inputs(input_id, raw_hash, status, article_id) VALUES (?, ?, ?, ?)",
                        (input_id, data_hash, status, article_id))

    def _near_duplicate(self, sig: np.ndarray) -> int | None:
        keys = dedup.band_keys(sig)
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT DISTINCT s.article_id, s.sig FROM bands b JOIN signatures s ON s.article_id = b.article_id "
            f"WHERE b.band_key IN ({marks}) ORDER BY s.article_id", keys).fetchall()
        for row in rows:
            if dedup.similarity(sig, np.frombuffer(row["sig"], dtype=np.uint64)) >= dedup.THRESHOLD:
                original = self.db.execute("SELECT duplicate_of FROM articles WHERE id = ?", (row["article_id"],)).fetchone()
                return int(original["duplicate_of"] or row["article_id"])
        return None

    def _published_earlier(self, published: str | None, article_id: int) -> bool:
        row = self.db.execute("SELECT published FROM articles WHERE id = ?", (article_id,)).fetchone()
        return bool(published and row["published"] and published[:10] < row["published"][:10])

    def _index_signature(self, article_id: int, sig: np.ndarray) -> None:
        self.db.execute("INSERT INTO signatures(article_id, sig) VALUES (?, ?)", (article_id, sig.tobytes()))
        self.db.executemany("INSERT INTO bands(band_key, article_id) VALUES (?, ?)",
                            [(key, article_id) for key in dedup.band_keys(sig)])

    def _merge_entities(self, article: Article) -> dict[str, int]:
        """Article entity id -> corpus entity id. People merge on a shared full name (titles dropped)
        or an unambiguous surname; other entities on any shared name or alias of the same type."""
        mapping: dict[str, int] = {}
        for entity in article.entities:
            if entity.type == "PERSON":
                name, names = _person_names(entity)
                corpus_id = self._find_person(name, names)
            else:
                name, names = entity.name, {n.lower() for n in (entity.name, *entity.aliases) if n}
                corpus_id = self._find_by_alias(entity.type, names)
            if corpus_id is None:
                corpus_id = int(self.db.execute("INSERT INTO entities(name, type) VALUES (?, ?)",
                                                (name, entity.type)).lastrowid or 0)
            else:  # the fullest name seen becomes the corpus name ("Putin" -> "Vladimir Putin")
                self.db.execute("UPDATE entities SET name = ? WHERE id = ? AND length(name) < length(?)",
                                (name, corpus_id, name))
            self.db.executemany("INSERT OR IGNORE INTO entity_aliases(alias, type, entity_id) VALUES (?, ?, ?)",
                                [(n, entity.type, corpus_id) for n in names])
            if entity.type == "PERSON":
                # Surnames find people ("who said Ortiz") but merge only when unambiguous.
                self.db.execute("INSERT OR IGNORE INTO surnames(surname, entity_id) VALUES (?, ?)",
                                (name.split()[-1].lower(), corpus_id))
            mapping[entity.id] = corpus_id
        return mapping

    def _find_by_alias(self, entity_type: str, names: set[str]) -> int | None:
        if not names:
            return None
        marks = ",".join("?" * len(names))
        row = self.db.execute(f"SELECT entity_id FROM entity_aliases WHERE type = ? AND alias IN ({marks}) LIMIT 1",
                              (entity_type, *sorted(names))).fetchone()
        return int(row[0]) if row is not None else None

    def _find_person(self, name: str, names: set[str]) -> int | None:
        found = self._find_by_alias("PERSON", {n for n in names if " " in n})  # full names only: surnames are shared
        if found is not None:
            return found
        surname = name.split()[-1].lower()
        if " " not in name:
            row = self._unique_surname(surname)
            return int(row[0]) if row is not None else None
        # A full name, and a person so far known only by this surname ("Putin", then "Vladimir Putin").
        rows = self.db.execute("SELECT e.id FROM entity_aliases a JOIN entities e ON e.id = a.entity_id "
                               "WHERE a.type = 'PERSON' AND a.alias = ? AND instr(e.name, ' ') = 0 LIMIT 2",
                               (surname,)).fetchall()
        return int(rows[0][0]) if len(rows) == 1 else None

    def _person_named(self, name: str) -> int | None:
        """A speaker the article's NER missed ('Ortiz said'): a known person by name or unique surname."""
        name = bare_person_name(name)
        row = self.db.execute("SELECT entity_id FROM entity_aliases WHERE type = 'PERSON' AND alias = ?",
                              (name.lower(),)).fetchone() or self._unique_surname(name.split()[-1].lower())
        return int(row[0]) if row is not None else None

    def _unique_surname(self, surname: str) -> sqlite3.Row | None:
        rows = self.db.execute("SELECT entity_id FROM surnames WHERE surname = ? LIMIT 2", (surname,)).fetchall()
        return rows[0] if len(rows) == 1 else None

    def _add_attributions(self, article_id: int, article: Article, entity_ids: dict[str, int]) -> None:
        rows = []
        for a in article.attributions:
            source = a.source
            speaker = (source.name or source.text) if source else None
            entity = entity_ids.get(source.entity) if source and source.entity else None
            if entity is None and speaker and _looks_like_name(speaker):
                entity = self._person_named(speaker)
            rows.append((article_id, entity, speaker, a.cue.text if a.cue else None, a.content.text, a.kind, a.medium))
        self.db.executemany("INSERT INTO attributions(article_id, entity_id, speaker, cue, content, kind, medium) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def _assign_story(self, article: Article, entity_ids: list[int]) -> int:
        names = [e.name for e in article.entities if e.type in {"PERSON", "ORG", "PLACE"}]
        counts = stories.term_counts(f"{article.title or ''} {article.text}", names)
        # Ids only grow and nothing is deleted, so max(id) is the count, without count(*)'s full scan.
        documents = int(self.db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])
        df = self._document_frequencies(list(counts))
        vector = stories.tfidf(counts, df, documents)
        self.db.executemany("INSERT INTO terms(term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
                            [(t,) for t in counts])
        best, best_score = None, stories.THRESHOLD
        for row in self._candidate_stories(vector):
            if not stories.within_window(article.published, row["first_published"], row["last_published"]):
                continue
            score = stories.cosine(vector, json.loads(row["centroid"]))
            if score >= best_score:
                best, best_score = row, score
        if best is None:
            story = int(self.db.execute(
                "INSERT INTO stories(title, centroid, size, first_published, last_published) VALUES (?, ?, 1, ?, ?)",
                (article.title, json.dumps(vector), article.published, article.published)).lastrowid or 0)
            self._index_story(story, vector)
            return story
        centroid = stories.add_to_centroid(json.loads(best["centroid"]), best["size"], vector)
        # Dates span only the dated members: an undated article leaves the story's window as it was.
        self.db.execute("UPDATE stories SET centroid = ?, size = size + 1, "
                        "first_published = coalesce(min(first_published, ?), first_published, ?), "
                        "last_published = coalesce(max(last_published, ?), last_published, ?) WHERE id = ?",
                        (json.dumps(centroid), article.published, article.published, article.published,
                         article.published, best["id"]))
        self._index_story(int(best["id"]), centroid)
        return int(best["id"])

    def _candidate_stories(self, vector: dict[str, float]) -> list[sqlite3.Row]:
        """The stories sharing most of the article's strongest terms, through an inverted index that is
        read only for each term's newest stories: the cost per article stays flat as the corpus grows."""
        top = [t for t, _ in sorted(vector.items(), key=lambda kv: -kv[1])[: stories.INDEX_TERMS]]
        shared: Counter[int] = Counter()
        for term in top:
            shared.update(row[0] for row in self.db.execute(
                "SELECT story_id FROM story_terms WHERE term = ? ORDER BY story_id DESC LIMIT ?",
                (term, POSTINGS_PER_TERM)))
        best = sorted(shared, key=lambda story: (-shared[story], -story))[:STORY_CANDIDATES]
        if not best:
            return []
        marks = ",".join("?" * len(best))
        return self.db.execute("SELECT id, centroid, size, first_published, last_published FROM stories "
                               f"WHERE id IN ({marks}) ORDER BY id DESC", best).fetchall()

    def _index_story(self, story: int, centroid: dict[str, float]) -> None:
        top = [t for t, _ in sorted(centroid.items(), key=lambda kv: -kv[1])[: stories.INDEX_TERMS]]
        self.db.execute("DELETE FROM story_terms WHERE story_id = ?", (story,))
        self.db.executemany("INSERT OR IGNORE INTO story_terms(term, story_id) VALUES (?, ?)", [(t, story) for t in top])

    def _document_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        df: dict[str, int] = {}
        for start in range(0, len(terms), 500):
            chunk = terms[start : start + 500]
            marks = ",".join("?" * len(chunk))
            df.update({r["term"]: r["df"] for r in self.db.execute(f"SELECT term, df FROM terms WHERE term IN ({marks})", chunk)})
        return df

    # ---- queries ------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        tables = ("articles", "inputs", "entities", "attributions", "stories")
        return {t: int(self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}

    def search(self, query: str, limit: int = 20, marks: tuple[str, str] = ("[", "]")) -> list[dict[str, Any]]:
        """BM25 over title (weighted 2) and text; `marks` bracket the matched words in the snippet.
        A query that matches more than SEARCH_WINDOW articles is ranked among its newest SEARCH_WINDOW
        matches: ranking every match of a common word costs a second at a million articles."""
        match = fts_query(query)
        if not match:
            return []
        ids = [int(r[0]) for r in self.db.execute(
            "SELECT rowid FROM (SELECT rowid, bm25(articles_fts, 2.0, 1.0) AS score FROM articles_fts "
            "WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score, rowid DESC LIMIT ?",
            (match, SEARCH_WINDOW, limit))]
        if not ids:
            return []
        found = {r["id"]: dict(r) for r in self.db.execute(
            "SELECT a.id, a.title, a.outlet, a.url, snippet(articles_fts, 1, ?, ?, '…', 16) AS snippet "
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ? "
            f"AND articles_fts.rowid IN ({','.join('?' * len(ids))})", (*marks, match, *ids))}
        return [found[i] for i in ids if i in found]

    def entity_ids(self, name: str) -> list[int]:
        wanted = bare_person_name(name.strip()).lower()
        rows = self.db.execute("SELECT DISTINCT entity_id FROM entity_aliases WHERE alias = ? "
                               "UNION SELECT entity_id FROM surnames WHERE surname = ?", (wanted, wanted))
        return [int(r[0]) for r in rows]

    def who_said(self, name: str, limit: int = 200) -> list[dict[str, Any]]:
        ids = self.entity_ids(name)
        where, params = ("t.entity_id IN (" + ",".join("?" * len(ids)) + ")", ids) if ids else \
            ("lower(t.speaker) = ?", [name.strip().lower()])
        rows = self.db.execute(
            f"SELECT coalesce(e.name, t.speaker) AS speaker, t.content, t.cue, t.kind, t.medium, a.id, a.title, a.outlet, "
            f"a.url, a.published FROM attributions t JOIN articles a ON a.id = t.article_id "
            f"LEFT JOIN entities e ON e.id = t.entity_id WHERE {where} "
            f"ORDER BY coalesce(a.published, ''), a.id, t.id LIMIT ?", (*params, limit)).fetchall()
        return [{"speaker": r["speaker"], "content": r["content"], "cue": r["cue"], "kind": r["kind"],
                 "medium": r["medium"], "published": r["published"],
                 "article": {"id": r["id"], "title": r["title"], "outlet": r["outlet"], "url": r["url"]}} for r in rows]

    def stories(self, limit: int = 100, min_size: int = 1) -> list[dict[str, Any]]:
        """The largest stories first, each with its articles in publication order."""
        rows = self.db.execute("SELECT id, title FROM stories WHERE size >= ? ORDER BY size DESC, id LIMIT ?",
                               (min_size, limit)).fetchall()
        return [self._story_with_articles(row) for row in rows]

    def story(self, story_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT id, title FROM stories WHERE id = ?", (story_id,)).fetchone()
        return self._story_with_articles(row) if row is not None else None

    def _story_with_articles(self, story: sqlite3.Row) -> dict[str, Any]:
        articles = self.db.execute(
            "SELECT id, title, outlet, url, duplicate_of, published FROM articles WHERE story_id = ? "
            "ORDER BY coalesce(published, ''), id", (story["id"],)).fetchall()
        return {"id": story["id"], "title": story["title"],
                "articles": [{"id": a["id"], "title": a["title"], "outlet": a["outlet"], "url": a["url"],
                              "duplicate_of": a["duplicate_of"], "published": a["published"]} for a in articles]}

    def article(self, article_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT id, record, duplicate_of, story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        record = json.loads(zlib.decompress(row["record"]))
        record.update({"id": row["id"], "duplicate_of": row["duplicate_of"], "story_id": row["story_id"]})
        return record


_FTS_WORD = re.compile(r"\w+")
TITLES = {t.rstrip(".") for t in HONORIFICS} | ROLE_NOUNS | {"minister", "vice", "deputy", "former", "acting"}
_NAME = re.compile(r"^[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){0,2}$")


def bare_person_name(name: str) -> str:
    """A person's name without titles or possessive: 'President Vladimir Putin' -> 'Vladimir Putin'."""
    words = name.replace("’", "'").removesuffix("'s").split()
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words)


def _person_names(entity: Entity) -> tuple[str, set[str]]:
    """The entity's name and every alias, titles dropped; lowercased for lookups."""
    name = bare_person_name(entity.name) or entity.name
    return name, {bare_person_name(n).lower() for n in (entity.name, *entity.aliases) if n.strip()}


def _looks_like_name(text: str) -> bool:
    return bool(_NAME.match(text))


def fts_query(query: str) -> str:
    """User text as an FTS5 query of quoted terms: no operator or syntax error can come through."""
    return " ".join(f'"{word}"' for word in _FTS_WORD.findall(query)[:32])
