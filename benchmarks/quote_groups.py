"""Quote grouping benchmark (issue 14, part 4): does every edited wording of a quote join its quote, and
do distinct quotes, by the same speaker or not, stay apart?

    python benchmarks/corpus.py --parts quotes        (or python benchmarks/quote_groups.py)

How the set is built (seeded, so every run builds the same set):
- Source quotes: every attribution content of at least three words of PolNeAR train+dev (brat, first
  annotator; discontinuous spans joined; shorter ones, "it", "everything", are not quotes that travel),
  and every direct quote of the AEB ground-truth bodies (text between quotation marks, at
  least four words), with its speaker when "..., X said" / "X said ..." names one next to it.
- Speakers: a name's last word is its entity (as the store merges people by unambiguous surname);
  pronouns ("he") are unknown speakers and descriptions ("officials") compare by their words, as in
  the store.
- Each source quote is one gold group. Its occurrence as written is kept; 60% of source quotes also get
  one to four edited copies, each in an article of its own: quotation marks straightened or curled and
  re-punctuated; trimmed by up to a quarter of the words at either end; a contiguous fragment (40-80% of
  the words, at least four); a paraphrase with the same key words (direct to reported speech: I/we/my ->
  he/they/his, will -> would, is -> was, quotation marks dropped, one function word dropped). A copy's
  speaker becomes a pronoun 25% of the time and, for a quote of 12 words or more, another known speaker
  5% of the time (a misattributed wire quote: still the same quote).
- Negatives are the rest of the set: the many distinct quotes by the same prolific speakers (PolNeAR is the
  2016 campaign: Trump and Clinton are quoted in hundreds of articles) and by others. Source quotes with
  the same wording in two articles are merged into one gold group (they are the same quote); quotes that
  really recur with small edits across PolNeAR's articles stay apart in the gold and count against
  precision.
- Split by source article (a hash of its name): the rule's thresholds are chosen on the "tune" half
  (highest pairwise recall with precision >= 0.963: the goal plus the drop from tune to test seen for
  the two rules before, else best F1) and scored on the "test" half, so no article's quotes, nor their
  copies, are in both.
Scores: pairwise P/R over pairs of occurrences put in one quote, and B-cubed P/R, with pairwise recall
by edit kind (a pair counts for each kind of its two occurrences; "source" is the wording as written);
occurrences are grouped one by one in shuffled order through corpus.quotes.track on an SQLite store, as
ingest does.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from newsdistill.corpus import quotes
from newsdistill.entities.names import looks_like_name
from newsdistill.neardup import normalised_words

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PRONOUNS = frozenset("i me we us you he him she her they them it his hers their its our my your".split())
_SAID = r"(?:said|says|told|added|explained|wrote)"
_AFTER = re.compile(
    rf"^,?\s*{_SAID}\s+([A-Z][\w'-]+(?:\s[A-Z][\w'-]+){{0,2}})|^,?\s*([A-Z][\w'-]+(?:\s[A-Z][\w'-]+){{0,2}})\s+{_SAID}"
)
_BEFORE = re.compile(rf"([A-Z][\w'-]+(?:\s[A-Z][\w'-]+){{0,2}})\s+{_SAID}:?\s*$")
_QUOTED = re.compile(r"[“\"]([^”\"]{12,600})[”\"]")
_REPORTED = {
    "i": "he",
    "we": "they",
    "my": "his",
    "our": "their",
    "me": "him",
    "us": "them",
    "am": "was",
    "is": "was",
    "are": "were",
    "will": "would",
    "can": "could",
    "have": "had",
    "i'm": "he was",
    "we're": "they were",
    "i'll": "he would",
    "we'll": "they would",
}
MIN_WORDS = 3  # source quotes of fewer words are left out of the set
_FUNCTION = frozenset("the a an that very really just so and of to".split())


@dataclass
class Occurrence:
    group: int
    article: str  # the source article: the split key
    text: str
    speaker: str | None
    edit: str = "source"  # how the copy was made (EDITS), for reading misses by kind


# ---- source quotes -------------------------------------------------------------------------------------
def polnear_quotes() -> list[tuple[str, str, str | None]]:
    """(article, content, speaker) for every attribution of PolNeAR train+dev (first annotator)."""
    found = []
    for split in ("train", "dev"):
        folder = DATA / "polnear" / "data" / split
        files = defaultdict(list)
        for ann in sorted((folder / "attributions").glob("*.ann")):
            files[ann.stem.rsplit("_", 1)[0]].append(ann)
        for name, anns in sorted(files.items()):
            text = (folder / "text" / f"{name}.txt").read_text(encoding="utf-8")
            found += [(name, content, speaker) for content, speaker in _brat(sorted(anns)[0], text)]
    return found


def _brat(ann: Path, text: str) -> list[tuple[str, str | None]]:
    spans: dict[str, str] = {}
    relations = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            ranges = [r.split() for r in parts[1].split(" ", 1)[1].split(";")]
            spans[parts[0]] = " ".join(text[int(a) : int(b)] for a, b in ranges)
        elif line.startswith("E") and len(parts) >= 2:
            relations.append(dict(arg.split(":", 1) for arg in parts[1].split()[1:] if ":" in arg))
    return [
        (spans[r["Content"]], spans.get(r.get("Source", ""))) for r in relations if r.get("Content") in spans
    ]


def aeb_quotes() -> list[tuple[str, str, str | None]]:
    """(page, quote, speaker or None) for each direct quote of the AEB ground-truth bodies."""
    truth = json.loads((DATA / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    found = []
    for page, record in sorted(truth.items()):
        body = record.get("articleBody") or ""
        for match in _QUOTED.finditer(body):
            if len(match.group(1).split()) < 4:
                continue
            after = _AFTER.match(body[match.end() : match.end() + 60])
            before = _BEFORE.search(body[max(0, match.start() - 60) : match.start()])
            speaker = (after.group(1) or after.group(2)) if after else (before.group(1) if before else None)
            found.append((f"aeb:{page}", match.group(1), speaker))
    return found


# ---- edits -----------------------------------------------------------------------------------------------
def requote(text: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        text = text.replace("’", "'").replace("“", '"').replace("”", '"')
        text = f'"{text.strip()}"'
    else:
        text = f"“{text.strip()}”".replace("'", "’")
    text = text.replace(",", "" if rng.random() < 0.5 else " -")
    return text.rstrip('.”"') + rng.choice([".", "...", "", "!"])


def trim(words: list[str], rng: random.Random) -> str:
    """A lead-in or a tail cut: up to a quarter of the words at either end, at least one word in all."""
    most = max(1, len(words) // 4)
    front, back = rng.randint(0, most), rng.randint(0, most)
    front = front or (0 if back else 1)
    return " ".join(words[front : len(words) - back])


def fragment(words: list[str], rng: random.Random) -> str:
    size = max(4, int(len(words) * rng.uniform(0.4, 0.8)))
    start = rng.randint(0, max(0, len(words) - size))
    return " ".join(words[start : start + size])


def paraphrase(words: list[str], rng: random.Random) -> str:
    reported = [_REPORTED.get(w.lower().strip("“”\"',."), w).strip('“”"') for w in words]
    droppable = [i for i, w in enumerate(reported) if w.lower() in _FUNCTION]
    if droppable:
        del reported[rng.choice(droppable)]
    return rng.choice(["that ", ""]) + " ".join(reported)


EDITS = {
    "requote": lambda t, w, r: requote(t, r),
    "trim": lambda t, w, r: trim(w, r),
    "fragment": lambda t, w, r: fragment(w, r),
    "paraphrase": lambda t, w, r: paraphrase(w, r),
}


def build(seed: int = 0) -> tuple[list[Occurrence], dict[str, int]]:
    """The occurrences (shuffled), and how many source quotes each corpus gave."""
    rng = random.Random(seed)
    sources = {"PolNeAR": polnear_quotes(), "AEB": aeb_quotes()}
    groups: dict[str, int] = {}  # a wording seen in two articles is one quote
    occurrences = []
    speakers = sorted({s for found in sources.values() for _, _, s in found if _entity(s)})
    for article, text, speaker in itertools.chain(*sources.values()):
        form = " ".join(normalised_words(text))
        if len(form.split()) < MIN_WORDS:  # "it", "everything": attributions, but not quotes that travel
            continue
        group = groups.setdefault(form, len(groups))
        occurrences.append(Occurrence(group, article, text, speaker))
        if rng.random() < 0.6:
            occurrences += _copies(group, article, text, speaker, speakers, rng)
    rng.shuffle(occurrences)
    return occurrences, {name: len(found) for name, found in sources.items()}


def _copies(
    group: int, article: str, text: str, speaker: str | None, speakers: list[str], rng: random.Random
) -> list[Occurrence]:
    words = text.split()
    edits = rng.sample(sorted(EDITS), rng.randint(1, 4)) if len(words) >= 5 else ["requote"]
    copies = []
    for edit in edits:
        who = speaker
        if rng.random() < 0.25:
            who = rng.choice(["he", "she", "they"])
        elif len(words) >= 12 and rng.random() < 0.05:
            who = rng.choice(speakers)  # a wire quote misattributed
        copies.append(Occurrence(group, article, EDITS[edit](text, words, rng), who, edit))
    return copies


# ---- grouping and scores ---------------------------------------------------------------------------
def _entity(speaker: str | None) -> str | None:
    """A name's last word (people merge by surname); None for pronouns and descriptions."""
    if not speaker or speaker.lower() in PRONOUNS:
        return None
    cleaned = re.sub(r"['’]s$", "", speaker.strip())
    return cleaned.split()[-1].lower() if looks_like_name(cleaned) else None


def group(occurrences: list[Occurrence], rule: quotes.Rule) -> tuple[list[int], float, float]:
    """Each occurrence's quote id once all are tracked (one by one, on an SQLite store); the rates
    (occurrences/s) over the first and the last tenth of the run."""
    db = sqlite3.connect(":memory:")
    db.executescript(resources.files("newsdistill.corpus").joinpath("schema.sql").read_text(encoding="utf-8"))
    entity_ids: dict[str, int] = {}
    stamps = []
    for number, occurrence in enumerate(occurrences):
        name = _entity(occurrence.speaker)
        entity = entity_ids.setdefault(name, len(entity_ids) + 1) if name else None
        mention = quotes.Mention(number + 1, number + 1, entity, occurrence.speaker, occurrence.text)
        quotes.track(db, [mention], rule)
        stamps.append(time.perf_counter())
    # Read at the end: a later wording can merge two quotes, so the id given at insert may be gone.
    final = dict(db.execute("SELECT attribution_id, quote_id FROM quote_mentions").fetchall())
    predicted = [final[number + 1] for number in range(len(occurrences))]
    tenth = max(2, len(stamps) // 10)
    first = (tenth - 1) / (stamps[tenth - 1] - stamps[0])
    last = (tenth - 1) / (stamps[-1] - stamps[-tenth])
    return predicted, first, last


def scores(gold: list[int], predicted: list[int]) -> dict[str, float]:
    """Pairwise and B-cubed precision and recall."""
    pairs = Counter(zip(gold, predicted, strict=True))
    same_both = sum(n * (n - 1) / 2 for n in pairs.values())
    same_predicted = sum(n * (n - 1) / 2 for n in Counter(predicted).values())
    same_gold = sum(n * (n - 1) / 2 for n in Counter(gold).values())
    by_gold, by_predicted = Counter(gold), Counter(predicted)
    b3p = sum(pairs[(g, p)] / by_predicted[p] for g, p in zip(gold, predicted, strict=True)) / len(gold)
    b3r = sum(pairs[(g, p)] / by_gold[g] for g, p in zip(gold, predicted, strict=True)) / len(gold)
    return {
        "P": same_both / max(1, same_predicted),
        "R": same_both / max(1, same_gold),
        "B3P": b3p,
        "B3R": b3r,
    }


def half(article: str) -> str:
    return "tune" if hashlib.sha256(article.encode()).digest()[0] % 2 == 0 else "test"


GRID = [  # the shipped rule, the rule before it, and the steps and neighbours between them
    quotes.Rule(),
    quotes.Rule(phrase_keys=False, short_bridge_words=0, relaxed_words=0, named_short_words=4),  # before
    quotes.Rule(short_bridge_words=0, relaxed_words=0, named_short_words=4),  # phrase keys
    quotes.Rule(relaxed_words=0, named_short_words=4),  # + short bridges
    quotes.Rule(short_run_words=0, named_short_words=4),  # + edges cut
    quotes.Rule(named_short_words=4, short_run_words=3),  # + content-word runs of 3+
    quotes.Rule(short_run_words=0),  # 5 words on a pronoun against a named speaker; edges only
    quotes.Rule(short_run_words=3),
    quotes.Rule(relaxed_words=5),
]
MIN_TUNE_PRECISION = 0.963  # the goal 0.95 plus the tune-to-test drop of the last two rules (0.012, 0.013)


def choose(tune: list[Occurrence]) -> tuple[quotes.Rule, list[str]]:
    """The rule with the highest tune recall at precision >= MIN_TUNE_PRECISION, else the best pairwise
    F1; and a table row per rule tried, with the shipped one's recall by edit kind."""
    gold = [o.group for o in tune]
    results = [(rule, scores(gold, group(tune, rule)[0])) for rule in GRID]
    rows = [
        f"| quote grouping, tune half {_rule_text(rule)} | {len(tune):,} occurrences | "
        f"pairwise P {s['P']:.4f} R {s['R']:.4f}; B-cubed P {s['B3P']:.3f} R {s['B3R']:.3f} | |"
        for rule, s in results
    ]
    good = [(s["R"], rule) for rule, s in results if s["P"] >= MIN_TUNE_PRECISION]
    if good:
        return max(good, key=lambda item: item[0])[1], rows
    best = max(
        results, key=lambda item: 2 * item[1]["P"] * item[1]["R"] / max(1e-9, item[1]["P"] + item[1]["R"])
    )
    return best[0], rows


def recall_by_edit(occurrences: list[Occurrence], predicted: list[int]) -> str:
    """Pairwise recall of each edit kind's copies with the other occurrences of their quote."""
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    members = defaultdict(list)
    for occurrence, quote in zip(occurrences, predicted, strict=True):
        members[occurrence.group].append((occurrence.edit, quote))
    for group_members in members.values():
        for (edit, quote), (other_edit, other_quote) in itertools.combinations(group_members, 2):
            for kind in {edit, other_edit}:
                total[kind] += 1
                found[kind] += quote == other_quote
    return ", ".join(f"{edit} {found[edit] / total[edit]:.3f}" for edit in sorted(total))


def quote_grouping(seed: int = 0) -> list[str]:
    """Table rows: every rule tried on the tune half; the chosen rule scored on the test half, once."""
    occurrences, counts = build(seed)
    parts = {name: [o for o in occurrences if half(o.article) == name] for name in ("tune", "test")}
    sizes = Counter(Counter(o.group for o in occurrences).values())
    data = (
        f"{sum(counts.values()):,} source quotes (PolNeAR {counts['PolNeAR']:,}, AEB {counts['AEB']:,}), "
        f"{len(occurrences):,} occurrences, {sum(n for k, n in sizes.items() if k > 1):,} groups with copies"
    )
    rows = [f"| quote grouping: set | {data} | | |"]
    chosen, tried = choose(parts["tune"])
    rows += tried
    shipped = "shipped (quotes.RULE)" if chosen == quotes.RULE else "NOT the shipped rule"
    for name in ("tune", "test"):
        predicted, first, last = group(parts[name], chosen)
        s = scores([o.group for o in parts[name]], predicted)
        rows.append(
            f"| quote grouping, chosen on tune, {shipped}, {name} half {_rule_text(chosen)} | "
            f"{len(parts[name]):,} occurrences | pairwise P {s['P']:.3f} R {s['R']:.3f}; B-cubed P "
            f"{s['B3P']:.3f} R {s['B3R']:.3f}; pairwise recall by edit: "
            f"{recall_by_edit(parts[name], predicted)} | {first:,.0f} / {last:,.0f} occurrences/s "
            "(first / last tenth) |"
        )
    return rows


def _rule_text(rule: quotes.Rule) -> str:
    return (
        f"(same speaker: {rule.min_shared}+ words, {rule.containment} contained; pronoun: "
        f"{rule.unknown_min_shared}+, {rule.unknown_containment}, a short one whole of "
        f"{rule.unknown_short_words}+ words ({rule.named_short_words}+ against a named speaker), in order "
        f"under {rule.unknown_run_below} words; other speaker: {rule.other_speaker_cover} of "
        f"{rule.other_speaker_words}+ words; merge: {rule.merge_words}+ words, {rule.merge_score}; "
        f"phrase keys {'on' if rule.phrase_keys else 'off'}; short merge {rule.short_bridge_words or 'off'}; "
        f"loose short match {_loose_text(rule)})"
    )


def _loose_text(rule: quotes.Rule) -> str:
    if not rule.relaxed_words:
        return "off"
    edges = "edges cut" if rule.short_edges else "edges kept"
    return f"{rule.relaxed_words}+ words, {edges}, content-word run {rule.short_run_words or 'off'}"


if __name__ == "__main__":
    if not DATA.exists():
        print(f"benchmark data not found under {DATA}: ../shared/data is needed", file=sys.stderr)
        sys.exit(2)
    print("| measurement | data | result | speed |\n|---|---|---|---|")
    for row in quote_grouping():
        print(row, flush=True)
