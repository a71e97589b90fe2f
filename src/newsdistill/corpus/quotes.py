"""Quotes tracked across articles: every attribution belongs to one quote, exact or edited.

A quote is the words a speaker said, however outlets wrote them: trimmed, re-punctuated, with curly or
straight quotation marks, cut to a fragment, or paraphrased with the same key words. Its words are the
stemmed content words of the text (function words, case, punctuation and quote style dropped).

Grouping is incremental: a new attribution looks up candidate quotes by its keys (unordered pairs of
content words one or two apart, and adjacent words one of which is a content word, so that a fragment
with a single content word finds its fuller wording; each key's posting list read newest first and
capped, and the keys of one attribution capped, so the cost of a lookup does not grow with the store),
scores the few best candidates against their variants (each with its own speaker), and joins the best one
that `Rule` accepts, else starts a quote of its own. Another candidate it matches surely (`bridges`: the
same named speaker, six or more words, contained whole; or a short wording of four or more words by the
same named speaker, contained whole) is merged into that one: a fragment seen before its full quote no
longer stays apart. The rules:
- same speaker, or a speaker the article names only by a pronoun: enough shared content words and the
  shorter side mostly contained in the longer (a fragment or a trimmed quote is contained whole); on a
  pronoun, a quote of fewer than `unknown_run_below` content words must have them run whole, in order,
  inside the other's (`runs_whole`: remarks sharing four topic words in another order stay apart);
- two different known speakers: only a long, near-identical text (a wire quote misattributed);
- fewer than `min_shared` content words: only the same words, run whole inside the other's, by the same
  speaker, or on a pronoun when the short side has `unknown_short_words` words (`named_short_words` when
  the other side names its speaker; "he said 'no'": never). A short quote with `relaxed_words` words
  from its first to its last content word also matches once the function words at its edges are cut
  ('that a loan from X' in 'a loan from X'), or when its content words run whole in the other's
  (a reported copy that changed or dropped a function word).
The thresholds were chosen on one half of a set built from PolNeAR and AEB (benchmarks/quote_groups.py)
and scored on the other half: see benchmarks/RESULTS.md. A quote's first appearance is its articles'
earliest appearance (appearances.TIMELINE_ORDER), so copies of an article count as its outlets too.
Every function works inside the caller's transaction, or only reads.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ..attribution.acts import act_of_words
from ..entities.names import looks_like_name
from ..lexicons import STOPWORDS
from ..model import ACTS
from ..neardup import normalised_words
from . import appearances

KEY_POSTINGS = 64  # quotes read per key, newest first: a common word pair costs no more than a rare one
CANDIDATES = 8  # best candidates (by keys shared) scored against their variants
VARIANTS_SCORED = 16  # longest variants of a candidate compared
MAX_KEYS = 160  # keys of one attribution: a quote of ~80 content words; longer ones are keyed by their start
MAX_PHRASE_KEYS = 80  # adjacent-word keys of one attribution, from its start
SHORT_SCORE = 0.5  # a short quote's match: it joins a quote, but never bridges two (a phrase recurs)
TIMELINE_LIMIT = 500  # appearances shown on a quote's page
# Words that change when a direct quote is reported ("I will" -> "he would") or that carry no content.
_REPORTING_WORDS = frozenset(
    "i me my mine we us our ours you your yours he him his she her they them their it its will would shall "
    "can could may might must going gonna want wants think thinks believe know say says said tell told "
    "that this these those there here then yes no not also just really very well oh".split()
)
_FUNCTION_WORDS = STOPWORDS | _REPORTING_WORDS
_SUFFIXES = ("ings", "ing", "ied", "ies", "ed", "es", "s", "ly")


@dataclass(frozen=True)
class Rule:
    """When an attribution joins a quote (see the module's docstring)."""

    containment: float = 0.7  # shared content words / the shorter side's, same speaker
    min_shared: int = 4  # content words shared; shorter quotes group only as the same words, same speaker
    unknown_containment: float = 0.8  # the same, when one side names its speaker only by a pronoun
    unknown_min_shared: int = 4
    other_speaker_cover: float = 0.9  # shared / the longer side's, for two different known speakers
    other_speaker_words: int = 8  # and both sides at least this many content words
    unknown_short_words: int = 4  # words of a short quote that groups when neither side names a speaker
    named_short_words: int = 5  # the same, when one side names its speaker and the other a pronoun
    merge_score: float = 1.0  # a wording by a known speaker that matches two quotes this well makes them one
    merge_words: int = 6  # with at least this many content words on either side
    unknown_both: bool = True  # a short quote groups when neither side names its speaker
    unknown_run_below: int = 8  # on a pronoun, a quote of fewer content words runs whole, in order, inside
    phrase_keys: bool = True  # also key by adjacent words: a fragment of one to three content words is found
    short_bridge_words: int = 4  # a short match by the same known speaker, this many words, merges (0: never)
    relaxed_words: int = 4  # a short quote's words from its first to last content word, to match loosely
    short_edges: bool = True  # loosely: contained once the function words at its edges are cut
    short_run_words: int = 2  # or its content words (at least this many) run whole inside (0: never)


RULE = Rule()


@dataclass(frozen=True)
class Mention:
    """One stored attribution, as quotes see it."""

    attribution_id: int
    article_id: int
    entity_id: int | None
    speaker: str | None
    text: str
    act: str | None = None


def stem(word: str) -> str:
    """A light suffix strip, so that 'raised taxes' and 'raise tax' share their words."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word.removesuffix("e") if len(word) > 3 else word


def content_words(text: str) -> list[str]:
    """The key words of a quote, stemmed, in order."""
    return [stem(w) for w in normalised_words(text) if _is_content(w)]


def speaker_key(entity_id: int | None, speaker: str | None) -> str | None:
    """Who said it, for comparing speakers: the corpus entity, else a name, else a description's words
    ('a spokesman' = 'the spokesman'); None for a pronoun or nobody: unknown, not another speaker."""
    if entity_id is not None:
        return f"e{entity_id}"
    if not speaker:
        return None
    if looks_like_name(speaker.strip()):
        return "n" + " ".join(normalised_words(speaker))
    described = sorted(set(content_words(speaker)))
    return "d" + " ".join(described) if described else None


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def keys(words: list[str], form: str, who: str | None, rule: Rule = RULE) -> list[int]:
    """Index keys: unordered pairs of content words one or two apart (the first MAX_KEYS); a short quote
    also by its words and speaker, and with no speaker only when it is long enough to group on a pronoun
    (`short_match` decides)."""
    short = len(set(words)) < rule.min_shared
    if short and not who and form.count(" ") + 1 < rule.unknown_short_words:
        return []
    pairs: dict[str, None] = {}  # ordered: a long quote keeps the keys of its start
    for i, word in enumerate(words):
        for other in words[i + 1 : i + 3]:
            if other != word:
                pairs["|".join(sorted((word, other)))] = None
    found = [_hash(pair) for pair in list(pairs)[:MAX_KEYS]]
    if rule.phrase_keys:
        found += phrase_keys(form)
    return [_hash(f"short|{who}|{form}"), *found] if short and who else found


def phrase_keys(form: str) -> list[int]:
    """Keys of adjacent words, one of them a content word ('his opponents', 'opponents by'): a fragment
    with too few content words to pair ("of his opponents by") shares them with its fuller wording."""
    words = form.split()
    phrases = {f"p|{a} {b}": None for a, b in pairwise(words) if _is_content(a) or _is_content(b)}
    return [_hash(phrase) for phrase in list(phrases)[:MAX_PHRASE_KEYS]]


def _is_content(word: str) -> bool:
    return word not in _FUNCTION_WORDS and len(word) > 1


# ---- grouping ------------------------------------------------------------------------------------------
def track(db: sqlite3.Connection, mentions: list[Mention], rule: Rule = RULE) -> list[int]:
    """Each stored attribution joined to its quote (a new one when none matches); the quote ids."""
    return [_track_one(db, mention, rule) for mention in mentions]


def _track_one(db: sqlite3.Connection, mention: Mention, rule: Rule) -> int:
    words = content_words(mention.text)
    form = " ".join(normalised_words(mention.text))
    who = speaker_key(mention.entity_id, mention.speaker)
    found = keys(words, form, who, rule)
    matched = _matching_quotes(db, words, form, who, found, rule) if found else []
    if matched:  # the best match; a quote it matches surely (`bridges`) is the same quote too
        quote_id = max(matched)[1]
        for _, other, sure in matched:
            if other != quote_id and sure:
                merge(db, other, quote_id, rule)
    else:
        quote_id = int(
            db.execute(
                "INSERT INTO quotes(entity_id, speaker, speaker_key, text, mentions) VALUES (?, ?, ?, ?, 0)",
                (mention.entity_id, mention.speaker, who, mention.text),
            ).lastrowid
            or 0
        )
    _join(db, quote_id, mention, form, words, who, found)
    return quote_id


def _candidates(db: sqlite3.Connection, found: list[int]) -> list[int]:
    """The quotes sharing most keys, each key's postings read newest first and capped."""
    one_key = (
        "SELECT quote_id FROM (SELECT quote_id FROM quote_keys WHERE key = ? "
        f"ORDER BY quote_id DESC LIMIT {KEY_POSTINGS})"
    )
    rows = db.execute(
        f"SELECT quote_id, count(*) AS shared FROM ({' UNION ALL '.join([one_key] * len(found))}) "
        f"GROUP BY quote_id ORDER BY shared DESC, quote_id DESC LIMIT {CANDIDATES}",
        found,
    ).fetchall()
    return [int(row[0]) for row in rows]


def _matching_quotes(
    db: sqlite3.Connection, words: list[str], form: str, who: str | None, found: list[int], rule: Rule
) -> list[tuple[float, int, bool]]:
    """Every candidate quote that one of its variants accepts: a wording can bridge two quotes that were
    started apart (a fragment seen before the full quote), and then they are one."""
    matched = []
    mine = set(words)
    for quote_id in _candidates(db, found):
        row = db.execute("SELECT speaker_key FROM quotes WHERE id = ?", (quote_id,)).fetchone()
        if row is None:  # a key left by a quote since merged into another
            continue
        variants = db.execute(  # each wording with its own speaker; a pronoun's is the quote's
            f"SELECT form, words, coalesce(speaker_key, ?) FROM quote_variants WHERE quote_id = ? "
            f"ORDER BY length(words) DESC LIMIT {VARIANTS_SCORED}",
            (row[0], quote_id),
        ).fetchall()
        scored = [
            (_score(mine, form, set(vw.split()), vf, who, vs, rule), vf, vw, vs) for vf, vw, vs in variants
        ]
        score = max((found for found, _, _, _ in scored), default=0.0)
        if score > 0:
            sure = any(
                bridges(mine, set(vw.split()), who, vs, rule)
                or (found == SHORT_SCORE and short_bridges(form, vf, who, vs, rule))
                for found, vf, vw, vs in scored
                if found
            )
            matched.append((score, quote_id, sure))
    return matched


def _score(
    mine: set[str],
    form: str,
    theirs: set[str],
    their_form: str,
    who: str | None,
    their: str | None,
    rule: Rule,
) -> float:
    if min(len(mine), len(theirs)) < rule.min_shared:
        return short_match(form, their_form, who, their, rule)
    score = match(mine, theirs, who, their, rule)
    if score and (who is None or their is None) and min(len(mine), len(theirs)) < rule.unknown_run_below:
        return score if runs_whole(form, their_form) else 0.0
    return score


def runs_whole(form: str, their_form: str) -> bool:
    """Whether the shorter wording's content words run, in order and unbroken, inside the other's: a
    trimmed, cut or reported copy keeps them so; two remarks that share a few topic words seldom do."""
    shorter, longer = sorted((content_words(form), content_words(their_form)), key=len)
    return f" {' '.join(shorter)} " in f" {' '.join(longer)} "


def short_match(
    form: str, their_form: str, who: str | None, their_speaker: str | None, rule: Rule = RULE
) -> float:
    """A short quote ("no", "a rigged system") groups only where its words are the other's, or run whole
    inside them; and only with the same known speaker, or, when one side names its speaker by a pronoun,
    with at least `unknown_short_words` words (a two-word quote never groups on a pronoun)."""
    if who is not None and their_speaker is not None and who != their_speaker:
        return 0.0
    least = 1
    if who is None or their_speaker is None:
        if who is None and their_speaker is None and not rule.unknown_both:
            return 0.0
        least = rule.unknown_short_words if who == their_speaker else rule.named_short_words
        if min(form.count(" "), their_form.count(" ")) + 1 < least:
            return 0.0
    return SHORT_SCORE if short_contained(form, their_form, rule, least) else 0.0


def short_contained(form: str, their_form: str, rule: Rule = RULE, least: int = 1) -> bool:
    """Whether the shorter wording is inside the other: whole; or, when what is left between its first and
    last content words has `least` and `relaxed_words` words, once the function words at its edges are cut
    ('that a loan from X' in 'a loan from X'), or with its content words running whole and in order inside
    the other's (a reported copy drops or changes function words: 'losing war on terror')."""
    shorter, longer = sorted((form, their_form), key=len)
    if f" {shorter} " in f" {longer} ":
        return True
    core = _core(shorter)
    if not rule.relaxed_words or core.count(" ") + 1 < max(least, rule.relaxed_words):
        return False
    if rule.short_edges and f" {core} " in f" {longer} ":
        return True
    if rule.short_run_words:
        mine, theirs = sorted((content_words(form), content_words(their_form)), key=len)
        return len(mine) >= rule.short_run_words and f" {' '.join(mine)} " in f" {' '.join(theirs)} "
    return False


def _core(form: str) -> str:
    """The wording without function words at its edges ('that he would' ... 'by')."""
    words = form.split()
    content = [i for i, word in enumerate(words) if _is_content(word)]
    return " ".join(words[content[0] : content[-1] + 1]) if content else ""


def bridges(mine: set[str], theirs: set[str], who: str | None, their_speaker: str | None, rule: Rule) -> bool:
    """Whether a wording that matches two quotes makes them one: only the same known speaker, a long
    wording and near-whole containment (a pronoun's or a common phrase's match would chain topics)."""
    if who is None or who != their_speaker or min(len(mine), len(theirs)) < rule.merge_words:
        return False
    return len(mine & theirs) / min(len(mine), len(theirs)) >= rule.merge_score


def short_bridges(form: str, their_form: str, who: str | None, their_speaker: str | None, rule: Rule) -> bool:
    """Whether a short wording's match makes two quotes one: the same known speaker, and at least
    `short_bridge_words` words on either side (a fragment seen before its fuller wording)."""
    if not rule.short_bridge_words or who is None or who != their_speaker:
        return False
    return min(form.count(" "), their_form.count(" ")) + 1 >= rule.short_bridge_words


def match(mine: set[str], theirs: set[str], who: str | None, their_speaker: str | None, rule: Rule) -> float:
    """How well two variants' content words match under `rule` (0 when they do not group)."""
    shared = len(mine & theirs)
    if who is not None and their_speaker is not None and who != their_speaker:
        long_enough = min(len(mine), len(theirs)) >= rule.other_speaker_words
        cover = shared / max(len(mine), len(theirs))
        return cover if long_enough and cover >= rule.other_speaker_cover else 0.0
    known = who is not None and their_speaker is not None
    least, share = (
        (rule.min_shared, rule.containment) if known else (rule.unknown_min_shared, rule.unknown_containment)
    )
    contained = shared / min(len(mine), len(theirs))
    return contained if shared >= least and contained >= share else 0.0


def merge(db: sqlite3.Connection, source: int, into: int, rule: Rule = RULE) -> None:
    """Quote `source` becomes part of quote `into`: its mentions, variants and keys move, and its row goes
    (a key whose posting is not recomputed from a variant is skipped on lookup)."""
    gone = db.execute(
        "SELECT entity_id, speaker, speaker_key, text, mentions FROM quotes WHERE id = ?", (source,)
    ).fetchone()
    variants = db.execute("SELECT form FROM quote_variants WHERE quote_id = ?", (source,)).fetchall()
    for (variant_form,) in variants:
        for key in keys(content_words(variant_form), variant_form, gone[2], rule):
            db.execute("DELETE FROM quote_keys WHERE key = ? AND quote_id = ?", (key, source))
            db.execute("INSERT OR IGNORE INTO quote_keys(key, quote_id) VALUES (?, ?)", (key, into))
    db.execute(
        "INSERT OR IGNORE INTO quote_variants(quote_id, form, text, words, first_attribution, speaker_key) "
        "SELECT ?, form, text, words, first_attribution, speaker_key FROM quote_variants WHERE quote_id = ?",
        (into, source),
    )
    db.execute("DELETE FROM quote_variants WHERE quote_id = ?", (source,))
    db.execute("UPDATE quote_mentions SET quote_id = ? WHERE quote_id = ?", (into, source))
    db.execute("DELETE FROM quotes WHERE id = ?", (source,))
    db.execute("UPDATE quote_aliases SET quote_id = ? WHERE quote_id = ?", (into, source))
    db.execute("INSERT OR REPLACE INTO quote_aliases(old_id, quote_id) VALUES (?, ?)", (source, into))
    db.execute(
        "UPDATE quotes SET mentions = mentions + ?1, "
        "text = CASE WHEN length(?2) > length(text) THEN ?2 ELSE text END, "
        "entity_id = coalesce(entity_id, ?3), speaker = CASE WHEN speaker_key IS NULL AND ?4 IS NOT NULL "
        "THEN ?5 ELSE coalesce(speaker, ?5) END, speaker_key = coalesce(speaker_key, ?4) WHERE id = ?6",
        (gone[4], gone[3], gone[0], gone[2], gone[1], into),
    )


def _join(
    db: sqlite3.Connection,
    quote_id: int,
    mention: Mention,
    form: str,
    words: list[str],
    who: str | None,
    found: list[int],
) -> None:
    """Record the mention; a new wording becomes a variant and adds its keys; the fullest wording is the
    quote's text; the first known speaker becomes the quote's."""
    db.execute(
        "INSERT OR REPLACE INTO quote_mentions(attribution_id, quote_id, article_id, act) "
        "VALUES (?, ?, ?, ?)",
        (mention.attribution_id, quote_id, mention.article_id, mention.act),
    )
    added = db.execute(
        "INSERT OR IGNORE INTO quote_variants(quote_id, form, text, words, first_attribution, speaker_key) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (quote_id, form, mention.text, " ".join(sorted(set(words))), mention.attribution_id, who),
    ).rowcount
    if added:
        db.executemany(
            "INSERT OR IGNORE INTO quote_keys(key, quote_id) VALUES (?, ?)", [(k, quote_id) for k in found]
        )
    db.execute(
        "UPDATE quotes SET mentions = mentions + 1, "
        "text = CASE WHEN length(?1) > length(text) THEN ?1 ELSE text END, "
        "entity_id = coalesce(entity_id, ?2), speaker = CASE WHEN speaker_key IS NULL AND ?3 IS NOT NULL "
        "THEN ?4 ELSE coalesce(speaker, ?4) END, speaker_key = coalesce(speaker_key, ?3) WHERE id = ?5",
        (mention.text, mention.entity_id, who, mention.speaker, quote_id),
    )


def merged_into(db: sqlite3.Connection, quote_id: int) -> int | None:
    """The quote that quote `quote_id` was merged into, if it was (None for a store from before merges)."""
    try:
        row = db.execute("SELECT quote_id FROM quote_aliases WHERE old_id = ?", (quote_id,)).fetchone()
    except sqlite3.OperationalError:  # a store from before aliases, opened read-only
        return None
    return int(row[0]) if row else None


def migrate(db: sqlite3.Connection) -> None:
    """A store from before variants kept their own speaker gets the column (its old variants read as
    their quote's speaker, as before); one from before phrase keys gets its variants' phrase keys, once."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(quote_variants)")}
    if columns and "speaker_key" not in columns:
        db.execute("ALTER TABLE quote_variants ADD COLUMN speaker_key TEXT")
    if db.execute("SELECT 1 FROM meta WHERE key = 'quote_phrase_keys'").fetchone() is None:
        _add_phrase_keys(db)
        db.execute("INSERT INTO meta(key, value) VALUES ('quote_phrase_keys', 'keyed')")


def _add_phrase_keys(db: sqlite3.Connection, batch: int = 5_000) -> None:
    """Every stored variant's phrase keys, a batch of variants at a time in primary-key order (a large
    store's do not fit in memory at once)."""
    after: tuple[int, str] = (-1, "")
    while rows := db.execute(
        "SELECT quote_id, form FROM quote_variants WHERE (quote_id, form) > (?, ?) "
        "ORDER BY quote_id, form LIMIT ?",
        (*after, batch),
    ).fetchall():
        db.executemany(
            "INSERT OR IGNORE INTO quote_keys(key, quote_id) VALUES (?, ?)",
            [(key, quote_id) for quote_id, form in rows for key in phrase_keys(form)],
        )
        after = (rows[-1][0], rows[-1][1])


def backfill(db: sqlite3.Connection) -> None:
    """A store written before quotes were tracked: its attributions grouped in the order they were stored."""
    rows = db.execute(
        "SELECT id, article_id, entity_id, speaker, content FROM attributions t WHERE NOT EXISTS "
        "(SELECT 1 FROM quote_mentions m WHERE m.attribution_id = t.id) ORDER BY id"
    ).fetchall()
    track(db, [Mention(r[0], r[1], r[2], r[3], r[4]) for r in rows])


def backfill_acts(db: sqlite3.Connection) -> None:
    """Attributions stored before they said their act get the act of their cue, speaker and medium as
    written (attribution/acts.py without a parse): 'tweeted' is writing, 'believes' thought, 'according
    to' figures evidence; a cue that tells nothing else (or none) is speech."""
    rows = db.execute(
        "SELECT m.attribution_id, t.cue, t.speaker, t.medium FROM quote_mentions m "
        "JOIN attributions t ON t.id = m.attribution_id WHERE m.act IS NULL"
    ).fetchall()
    db.executemany(
        "UPDATE quote_mentions SET act = ? WHERE attribution_id = ?",
        [(act_of_words(cue, speaker, medium), row_id) for row_id, cue, speaker, medium in rows],
    )


def parse_acts(values: Iterable[str]) -> frozenset[str]:
    """'speech,writing' (or several such values) -> the acts; ValueError naming a value that is not one."""
    acts = {part.strip().lower() for value in values for part in value.split(",") if part.strip()}
    wrong = sorted(acts - set(ACTS))
    if not acts:
        raise ValueError(f"no act given: choose from {', '.join(ACTS)}")
    if wrong:
        raise ValueError(f"unknown act {', '.join(map(repr, wrong))}: choose from {', '.join(ACTS)}")
    return frozenset(acts)


QUOTED_ACTS = frozenset({"speech", "writing"})  # what who-said shows unless asked for thoughts or evidence


# ---- reads -------------------------------------------------------------------------------------------------
_QUOTE_APPEARANCES = (
    "SELECT {what} FROM appearances WHERE article_id IN "
    "(SELECT article_id FROM quote_mentions WHERE quote_id = ?)"
)
# Each quote's appearances (each once, however many of an article's statements it holds), as rows of
# appearances with the quote's id beside them.
_QUOTES_APPEARANCES = (
    "SELECT m.quote_id AS quote_id, p.* FROM (SELECT DISTINCT quote_id, article_id FROM quote_mentions "
    "WHERE quote_id IN ({slots})) m JOIN appearances p ON p.article_id = m.article_id"
)


def spread(db: sqlite3.Connection, quote_id: int) -> dict[str, Any]:
    """Where a quote travelled: its first appearance and how many articles and outlets carried it."""
    return spreads(db, [quote_id])[quote_id]


def spreads(db: sqlite3.Connection, quote_ids: list[int]) -> dict[int, dict[str, Any]]:
    """spread of several quotes in two statements, not two a quote (an entity page showed 20 quotes with
    40 statements)."""
    found: dict[int, dict[str, Any]] = {
        q: {"first_seen": None, "articles": 0, "outlets": 0} for q in quote_ids
    }
    for start in range(0, len(quote_ids), 500):  # SQLite's variable limit
        chunk = quote_ids[start : start + 500]
        seen = _QUOTES_APPEARANCES.format(slots=",".join("?" * len(chunk)))
        firsts = db.execute(
            "SELECT quote_id, article_id, outlet, published FROM (SELECT *, row_number() OVER "
            f"(PARTITION BY quote_id ORDER BY {appearances.TIMELINE_ORDER}) AS place FROM ({seen})) "
            "WHERE place = 1",
            chunk,
        )
        for row in firsts:
            found[int(row[0])]["first_seen"] = {"article_id": row[1], "outlet": row[2], "published": row[3]}
        counts = db.execute(
            "SELECT quote_id, count(DISTINCT article_id), count(DISTINCT coalesce(outlet_key, '?' || id)) "
            f"FROM ({seen}) GROUP BY quote_id",
            chunk,
        )
        for quote_id, articles, outlets in counts:
            found[int(quote_id)].update(articles=articles, outlets=outlets)
    return found


def record(db: sqlite3.Connection, quote_id: int) -> dict[str, Any] | None:
    """The quote record (CONVENTIONS.md), with its timeline (the first TIMELINE_LIMIT appearances) and
    each variant's wording as first written."""
    row = db.execute(
        "SELECT q.id, coalesce(e.name, q.speaker) AS speaker, q.entity_id, q.text FROM quotes q "
        "LEFT JOIN entities e ON e.id = q.entity_id WHERE q.id = ?",
        (quote_id,),
    ).fetchone()
    if row is None:
        return None
    variants = db.execute(
        "SELECT text FROM quote_variants WHERE quote_id = ? ORDER BY first_attribution", (quote_id,)
    ).fetchall()
    seen = db.execute(
        _QUOTE_APPEARANCES.format(what="*") + f" ORDER BY {appearances.TIMELINE_ORDER}", (quote_id,)
    ).fetchall()
    articles = list(dict.fromkeys(int(r["article_id"]) for r in seen))
    outlets = list(dict.fromkeys(r["outlet"] for r in seen if r["outlet"]))
    timeline = appearances.records(db, seen[:TIMELINE_LIMIT])
    first = timeline[0] if timeline else None
    return {
        **dict(row),
        "variants": [v[0] for v in variants],
        "first_seen": {k: first[k] for k in ("article_id", "outlet", "published")} if first else None,
        "articles": articles,
        "outlets": outlets,
        "timeline": timeline,
        "mentions": _mentions(db, quote_id),
    }


def _mentions(db: sqlite3.Connection, quote_id: int) -> list[dict[str, Any]]:
    """Each article's wording of the quote and who it names as the speaker."""
    rows = db.execute(
        "SELECT t.article_id, coalesce(e.name, t.speaker) AS speaker, t.cue, t.content, t.kind, m.act "
        "FROM quote_mentions m JOIN attributions t ON t.id = m.attribution_id "
        "LEFT JOIN entities e ON e.id = t.entity_id WHERE m.quote_id = ? ORDER BY t.id LIMIT ?",
        (quote_id, TIMELINE_LIMIT),
    ).fetchall()
    return [dict(r) for r in rows]


def who_said(
    db: sqlite3.Connection,
    entity_ids: list[int],
    name: str,
    limit: int,
    every: bool,
    tracked: bool = True,
    acts: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """What the entities (or, when none, the speaker so named) said, oldest first: one row per quote with
    its spread, or with `every` one row per occurrence. Rows are who-said rows (CONVENTIONS.md). A store
    from before quotes (`tracked` False, opened read-only) gives its occurrences without quote ids.
    `acts`: only statements of these acts (None: all)."""
    params: list[int | str]
    if entity_ids:
        where, params = "t.entity_id IN (" + ",".join("?" * len(entity_ids)) + ")", [*entity_ids]
    else:
        where, params = "lower(t.speaker) = ?", [name.strip().lower()]
    rows = db.execute(_said_query(where, tracked), params)
    found: dict[Any, dict[str, Any]] = {}
    for row in rows:  # a cursor: a prolific speaker's rows are read only until `limit` quotes are found
        if acts is not None and row_act(row) not in acts:
            continue
        key = ("row", len(found)) if every or row["quote_id"] is None else ("quote", row["quote_id"])
        if key not in found:
            found[key] = said_row(row)
            if len(found) >= limit:
                break
    if not every:
        travelled = spreads(db, [s["quote_id"] for s in found.values() if s["quote_id"] is not None])
        for said in found.values():
            if said["quote_id"] is not None:
                said.update(travelled[said["quote_id"]])
    return list(found.values())


def _said_query(where: str, tracked: bool) -> str:
    """Statements matching `where`, oldest first, with their quote when the store tracks quotes."""
    quote_columns, quote_join = (
        ("m.act, m.quote_id", "LEFT JOIN quote_mentions m ON m.attribution_id = t.id")
        if tracked
        else ("NULL AS act, NULL AS quote_id", "")
    )
    return (
        "SELECT coalesce(e.name, t.speaker) AS speaker, t.entity_id, t.content, t.cue, t.kind, t.medium, "
        f"{quote_columns}, a.id, a.title, a.outlet, a.url, a.published "
        "FROM attributions t JOIN articles a ON a.id = t.article_id "
        f"LEFT JOIN entities e ON e.id = t.entity_id {quote_join} "
        f"WHERE {where} ORDER BY coalesce(a.published, ''), a.id, t.id"
    )


def row_act(row: sqlite3.Row) -> str:
    """The statement's act; from its words where the store could not be migrated (opened read-only)."""
    return str(row["act"] or act_of_words(row["cue"], row["speaker"], row["medium"]))


def said_row(row: sqlite3.Row) -> dict[str, Any]:
    """A who-said row, with the article it came from also nested (as pages and older callers read it)."""
    said = {k: row[k] for k in ("speaker", "entity_id", "content", "cue", "kind", "medium")}
    said["act"] = row_act(row)
    article = {"id": row["id"], "title": row["title"], "outlet": row["outlet"], "url": row["url"]}
    return {
        **said,
        "article_id": row["id"],
        "outlet": row["outlet"],
        "published": row["published"],
        "quote_id": row["quote_id"],
        "article": article,
    }
