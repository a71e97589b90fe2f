"""Candidates for the speaker-resolution gold set, and the step that writes the checked set.

    python benchmarks/make_speaker_gold.py candidates [--split dev] > /tmp/candidates.jsonl
    python benchmarks/make_speaker_gold.py review /tmp/candidates.jsonl > /tmp/review.txt
    python benchmarks/make_speaker_gold.py apply /tmp/candidates.jsonl \
        benchmarks/data/speaker_resolution.decisions.tsv > benchmarks/data/speaker_resolution.jsonl

`candidates` picks every PolNeAR gold attribution whose Source span is a pronoun, a bare surname (with or
without an honorific), a title ('the senator') or a role phrase ('the official', 'aides'), and guesses the
named entity it refers to with spaCy's NER alone (a guess, deliberately not newsdistill's resolver).
`review` prints each candidate with the text before it, for a person to read. The person's decisions (one
line per item whose guess was wrong: article, start, end, entity (other names the article gives it after
'|'), '-' for none or 'DROP' for an item that is not a reference after all) go in the decisions file;
`apply` writes the gold set: the guess where no decision overrides it. No article text goes into the output.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"
PRONOUNS = frozenset("he she they it we i you him her them his its their our my me us".split())
HONORIFIC = r"(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Prof)\.?"
SURNAME = re.compile(rf"^(?:{HONORIFIC}\s)?[A-Z][A-Za-z'’.-]*[a-zA-Z](?:'s|’s)?$")
# Heads that name an office or standing title held by one person at a time.
TITLE_HEADS = frozenset(
    """president senator governor mayor nominee candidate secretary chairman chairwoman speaker leader
    congressman congresswoman representative director chancellor minister premier judge justice
    attorney general commissioner ambassador president-elect""".split()
)
ROLE_PLURALS = frozenset("aides officials advisers advisors staffers spokesmen spokespeople".split())
# Heads of things said rather than of sayers ('the report', 'the ad'): no entity to resolve to.
THING_HEADS = frozenset(
    """poll polls research report statement piece article clip film letter mind accord problem discussion
    rules program convention case story slide estimate bylaws tweet ad data figures survey study""".split()
)
DETERMINERS = ("the ", "a ", "an ", "one ", "another ")
GENDER = {"he": "M", "him": "M", "his": "M", "she": "F", "her": "F"}


def source_kind(text: str, span: Any) -> str | None:
    """The gold set's kind of a source span (spaCy Span over it), or None when it is not one."""
    lowered = text.lower()
    if lowered in PRONOUNS:
        return "pronoun"
    named = [e for e in span.doc.ents if e.start < span.end and span.start < e.end]
    if SURNAME.match(text) and len(text.split()) <= 2:
        word = re.sub(rf"^{HONORIFIC}\s|(?:'s|’s)$", "", text).lower()
        return "surname" if word in _fullest_names(span.doc) or " " in text else None
    if any(e.label_ in {"PERSON", "ORG", "GPE", "FAC", "LOC", "WORK_OF_ART"} for e in named):
        return None  # a name in the phrase: not a matter of reference
    words = lowered.split()
    if span.root.lower_ in THING_HEADS or " and " in lowered:
        return None
    if lowered.startswith(DETERMINERS) and 2 <= len(words) <= 7:
        head = span.root.lower_
        return "title" if head in TITLE_HEADS and lowered.startswith("the ") else "role"
    return "role" if words and words[-1] in ROLE_PLURALS and len(words) <= 3 else None


def candidates(split: str) -> Iterator[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "src"))
    from newsdistill.attribution.polnear import read_split
    from newsdistill.nlp import load_nlp

    nlp = load_nlp()
    for article in read_split(POLNEAR, split):
        doc = nlp(article.text)
        seen = set()  # PolNeAR repeats a few relations with the same source span
        for gold in article.attributions:
            if len(gold.source) != 1 or gold.source[0] in seen:
                continue
            seen.add(gold.source[0])
            start, end = gold.source[0]
            text = article.text[start:end]
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or not (kind := source_kind(text, span)):
                continue
            yield {
                "article": article.name,
                "split": split,
                "start": start,
                "end": end,
                "source": text,
                "kind": kind,
                "entity": guess(doc, span, text, kind),
            }


def _fullest_names(doc: Any) -> dict[str, str]:
    """Each word of a person's name -> the full name (two words or more) that the article uses most often
    with that word ('Hillary Clinton' over a once-seen 'Crooked Hillary Clinton'); a name only ever
    written as one word maps to itself."""
    counts: Counter[str] = Counter(
        re.sub(r"(?:'s|’s)$", "", ent.text).strip() for ent in doc.ents if ent.label_ == "PERSON"
    )
    fullest: dict[str, str] = {}
    for name, _ in sorted(counts.items(), key=lambda pair: (len(pair[0].split()) > 1, pair[1], len(pair[0]))):
        for word in name.lower().split():
            fullest[word] = name  # sorted so that the best name comes last and wins
    return fullest


def guess(doc: Any, span: Any, text: str, kind: str) -> str | None:
    fullest = _fullest_names(doc)
    if kind == "surname":
        word = re.sub(rf"^{HONORIFIC}\s|(?:'s|’s)$", "", text).lower()
        return fullest.get(word) or next((e.text for e in doc.ents if e.text.lower() == word), None)
    lowered = text.lower()
    wanted = {"PERSON"} if lowered in GENDER or kind == "title" else {"PERSON", "ORG", "GPE", "NORP"}
    before = [e for e in doc.ents if e.end <= span.start and e.label_ in wanted]
    if not before:
        return None
    last = before[-1]
    if last.label_ == "PERSON":
        return fullest.get(last.text.lower().split()[-1], last.text)
    return last.text


def review(path: Path) -> None:
    texts: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines()):
        item = json.loads(line)
        name = item["article"]
        if name not in texts:
            texts[name] = (POLNEAR / "data" / item["split"] / "text" / f"{name}.txt").read_text()
        text, start, end = texts[name], item["start"], item["end"]
        width = 120 if item["kind"] == "surname" else 350  # a name needs less context than a pronoun
        before = text[max(0, start - width) : start].replace("\n", " ")
        after = text[end : end + 50].replace("\n", " ")
        print(f"#{number} {name} {start} {end} [{item['kind']}] -> {item['entity']!r}")
        print(f"   ...{before}[[{text[start:end]}]]{after}")


def apply(candidates_path: Path, decisions_path: Path) -> None:
    decisions = {}
    for line in decisions_path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, start, end, entity = line.split("\t")[:4]
            decisions[(name, int(start), int(end))] = None if entity == "-" else entity
    for line in candidates_path.read_text().splitlines():
        item = json.loads(line)
        key = (item["article"], item["start"], item["end"])
        if decisions.get(key) == "DROP":
            continue  # not a reference after all (a generic 'you', a parse that made a title of a thing)
        if key in decisions:
            item["entity"] = decisions[key]
        names = item["entity"].split("|") if item["entity"] else [None]
        item["entity"], item["aliases"] = names[0], names[1:]  # 'Department of Veterans Affairs|VA'
        print(json.dumps(item, ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", choices=["candidates", "review", "apply"])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()
    if args.step == "candidates":
        for item in candidates(args.split):
            print(json.dumps(item, ensure_ascii=False))
    elif args.step == "review":
        review(args.paths[0])
    else:
        apply(args.paths[0], args.paths[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
