"""People in the corpus: entities merged across articles, and the attributions that point at them.

People merge on a shared full name (titles dropped) or an unambiguous surname; other entities on any
shared name or alias of the same type. Every function works inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..entities.names import bare_person_name, looks_like_name, person_names
from ..model import Article, Entity
from . import quotes


def merge_entities(db: sqlite3.Connection, article: Article) -> dict[str, int]:
    """Article entity id -> corpus entity id, adding the entities the corpus does not know yet."""
    return {entity.id: _merge(db, entity) for entity in article.entities}


def _merge(db: sqlite3.Connection, entity: Entity) -> int:
    if entity.type == "PERSON":
        name, names = person_names(entity)
        corpus_id = _find_person(db, name, names)
    else:
        name, names = entity.name, {n.lower() for n in (entity.name, *entity.aliases) if n}
        corpus_id = _find_by_alias(db, entity.type, names)
    if corpus_id is None:
        corpus_id = int(
            db.execute("INSERT INTO entities(name, type) VALUES (?, ?)", (name, entity.type)).lastrowid or 0
        )
    else:  # the fullest name seen becomes the corpus name ("Putin" -> "Vladimir Putin")
        db.execute(
            "UPDATE entities SET name = ? WHERE id = ? AND length(name) < length(?)", (name, corpus_id, name)
        )
    db.executemany(
        "INSERT OR IGNORE INTO entity_aliases(alias, type, entity_id) VALUES (?, ?, ?)",
        [(n, entity.type, corpus_id) for n in names],
    )
    if entity.type == "PERSON":
        # Surnames find people ("who said Ortiz") but merge only when unambiguous.
        db.execute(
            "INSERT OR IGNORE INTO surnames(surname, entity_id) VALUES (?, ?)",
            (name.split()[-1].lower(), corpus_id),
        )
    return corpus_id


def _find_by_alias(db: sqlite3.Connection, entity_type: str, names: set[str]) -> int | None:
    if not names:
        return None
    marks = ",".join("?" * len(names))
    row = db.execute(
        f"SELECT entity_id FROM entity_aliases WHERE type = ? AND alias IN ({marks}) LIMIT 1",
        (entity_type, *sorted(names)),
    ).fetchone()
    return int(row[0]) if row is not None else None


def _find_person(db: sqlite3.Connection, name: str, names: set[str]) -> int | None:
    # Full names first: surnames are shared.
    found = _find_by_alias(db, "PERSON", {n for n in names if " " in n})
    if found is not None:
        return found
    surname = name.split()[-1].lower()
    if " " not in name:
        return _unique_surname(db, surname)
    # A full name, and a person so far known only by this surname ("Putin", then "Vladimir Putin").
    rows = db.execute(
        "SELECT e.id FROM entity_aliases a JOIN entities e ON e.id = a.entity_id "
        "WHERE a.type = 'PERSON' AND a.alias = ? AND instr(e.name, ' ') = 0 LIMIT 2",
        (surname,),
    ).fetchall()
    return int(rows[0][0]) if len(rows) == 1 else None


def _person_named(db: sqlite3.Connection, name: str) -> int | None:
    """A speaker the article's NER missed ('Ortiz said'): a known person by name or unique surname."""
    name = bare_person_name(name)
    row = db.execute(
        "SELECT entity_id FROM entity_aliases WHERE type = 'PERSON' AND alias = ?", (name.lower(),)
    ).fetchone()
    return int(row[0]) if row is not None else _unique_surname(db, name.split()[-1].lower())


def _unique_surname(db: sqlite3.Connection, surname: str) -> int | None:
    rows = db.execute("SELECT entity_id FROM surnames WHERE surname = ? LIMIT 2", (surname,)).fetchall()
    return int(rows[0][0]) if len(rows) == 1 else None


def add_attributions(
    db: sqlite3.Connection, article_id: int, article: Article, entity_ids: dict[str, int]
) -> None:
    """Each attribution indexed by its speaker's corpus entity (found by name when the NER missed it),
    then joined to the quote it repeats (quotes.py)."""
    mentions = []
    for a in article.attributions:
        source = a.source
        speaker = (source.name or source.text) if source else None
        entity = entity_ids.get(source.entity) if source and source.entity else None
        if entity is None and speaker and looks_like_name(speaker):
            entity = _person_named(db, speaker)
        cue = a.cue.text if a.cue else None
        stored = db.execute(
            "INSERT INTO attributions(article_id, entity_id, speaker, cue, content, kind, medium) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, entity, speaker, cue, a.said, a.kind, a.medium),
        ).lastrowid
        act = getattr(a, "act", None)  # speech, writing, thought, evidence: when the attribution stage says
        mentions.append(quotes.Mention(int(stored or 0), article_id, entity, speaker, a.said, act))
    quotes.track(db, mentions)


def add_descriptors(
    db: sqlite3.Connection, article_id: int, article: Article, entity_ids: dict[str, int]
) -> None:
    """What the article calls each person ('US Secretary of State'), without a leading article."""
    rows = {
        (entity_ids[entity.id], _bare_descriptor(descriptor), article_id)
        for entity in article.entities
        if entity.id in entity_ids
        for descriptor in entity.descriptors
        if _bare_descriptor(descriptor)
    }
    db.executemany("INSERT OR IGNORE INTO entity_descriptors VALUES (?, ?, ?)", sorted(rows))


def _bare_descriptor(descriptor: str) -> str:
    words = descriptor.split()
    if words and words[0].lower() in {"the", "a", "an"}:
        words = words[1:]
    return " ".join(words)


def descriptors_of(db: sqlite3.Connection, entity_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """The descriptors most articles use for an entity, each with how many articles use it (a store from
    before descriptors, opened read-only, has none)."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'entity_descriptors'").fetchone() is None:
        return []
    rows = db.execute(
        "SELECT min(descriptor) AS text, count(DISTINCT article_id) AS articles FROM entity_descriptors "
        "WHERE entity_id = ? GROUP BY lower(descriptor) ORDER BY articles DESC, text LIMIT ?",
        (entity_id, limit),
    ).fetchall()
    return [{"text": text, "articles": articles} for text, articles in rows]
