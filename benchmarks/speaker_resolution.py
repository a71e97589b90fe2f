"""Speaker resolution on PolNeAR dev: does a source written as a pronoun, a surname, a title or a role phrase
resolve to the entity the article means?

    python benchmarks/speaker_resolution.py [--attribution fast|accurate] [--level both|end-to-end|mention]

Gold: benchmarks/data/speaker_resolution.jsonl (how it was made: speaker_resolution.md). For each gold item
the prediction is the attribution from `newsdistill.attribute(text)` whose source span overlaps the item's
span most. It is right when its resolved name (`source.name`, only when `source.entity` is set) names the
gold entity (`names_match`), or when the gold entity is null and nothing was resolved (no source found, or
one found that no entity was given). Halves: articles in sorted order, even positions are half A (developed
on), odd positions half B (held out).

Mention level (`gold_mention_predictions`) isolates resolution from detection: the project's resolver
(`attribution.resolve.Resolver`, over the article's own parse and entities, as the pipeline builds them) is
given every gold PolNeAR source span of the article, in the order of their contents as the pipeline walks its
drafts, and remembers each resolved one as the last speaker, as the pipeline does. Every item then has a
prediction: its own span, resolved.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "benchmarks" / "data" / "speaker_resolution.jsonl"
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"
KINDS = ("pronoun", "surname", "title", "role")
_HONORIFICS = {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "president", "senator", "the"}
_SUFFIXES = {"jr", "sr", "ii", "iii"}


@dataclass(frozen=True)
class GoldItem:
    article: str
    split: str
    start: int
    end: int
    source: str
    kind: str
    entity: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Predicted:
    """A predicted source span and the entity name it resolved to (None when no entity was given)."""

    start: int
    end: int
    name: str | None


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, correct: bool) -> None:
        self.right, self.total = self.right + correct, self.total + 1

    def cell(self) -> str:
        return f"{100 * self.right / self.total:.1f}% ({self.right}/{self.total})" if self.total else "–"


@dataclass
class Report:
    all: Tally = field(default_factory=Tally)
    found: Tally = field(default_factory=Tally)  # items where a predicted source overlaps the gold span
    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))


def load_gold(path: Path = GOLD) -> list[GoldItem]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            row["aliases"] = tuple(row.get("aliases", ()))
            items.append(GoldItem(**row))
    return items


def normalise(name: str) -> list[str]:
    """Lower case, straight apostrophes, no possessive, no leading 'the' or honorific, no '.' or ','."""
    text = name.lower().replace("’", "'").strip()
    text = re.sub(r"'s?$", "", text)
    words = re.sub(r"[.,]", " ", text).split()
    while len(words) > 1 and words[0] in _HONORIFICS:
        words = words[1:]
    while len(words) > 2 and words[-1] in _SUFFIXES:
        words = words[:-1]
    return words


def names_match(predicted: str, gold: str, aliases: Iterable[str] = ()) -> bool:
    """Equal after `normalise` to the gold name or one of its aliases; or, both of two words or more, the same
    first and last word ('Hillary Rodham Clinton' for 'Hillary Clinton', 'Donald J. Trump' for 'Donald
    Trump'). A bare surname matches only a gold name that is that surname: 'Clinton' names no one in an
    article with two Clintons, so it is right only where the article itself never gives more."""
    got = normalise(predicted)
    for wanted in (normalise(gold), *(normalise(a) for a in aliases)):
        if got == wanted:
            return True
        if len(got) >= 2 and len(wanted) >= 2 and (got[0], got[-1]) == (wanted[0], wanted[-1]):
            return True
    return False


def _overlapping(item: GoldItem, predictions: list[Predicted]) -> Predicted | None:
    def overlap(p: Predicted) -> int:
        return min(p.end, item.end) - max(p.start, item.start)

    candidates = [p for p in predictions if overlap(p) > 0]
    return max(candidates, key=overlap) if candidates else None


def is_right(item: GoldItem, found: Predicted | None) -> bool:
    resolved = found.name if found is not None else None
    if item.entity is None:
        return resolved is None
    return resolved is not None and names_match(resolved, item.entity, item.aliases)


def score(items: list[GoldItem], predictions: dict[str, list[Predicted]]) -> Report:
    report = Report()
    for item in items:
        found = _overlapping(item, predictions.get(item.article, []))
        correct = is_right(item, found)
        report.all.add(correct)
        report.by_kind[item.kind].add(correct)
        if found is not None:
            report.found.add(correct)
    return report


def half_of(items: list[GoldItem], half: str) -> list[GoldItem]:
    """Half 'A' (articles at even positions in sorted order) or 'B' (odd); anything else: all items."""
    names = sorted({i.article for i in items})
    wanted = {n for position, n in enumerate(names) if position % 2 == (0 if half == "A" else 1)}
    return [i for i in items if i.article in wanted] if half in {"A", "B"} else items


def newsdistill_predictions(texts: dict[str, str], model: str = "accurate") -> dict[str, list[Predicted]]:
    import newsdistill

    found: dict[str, list[Predicted]] = {}
    for name, text in texts.items():
        attributions = newsdistill.attribute(text, timeout=None, attribution=model)  # type: ignore[arg-type]
        sources = [a.source for a in attributions if a.source is not None]
        found[name] = [Predicted(s.start, s.end, s.name if s.entity else None) for s in sources]
    return found


def gold_mention_predictions(articles: Iterable[Any]) -> dict[str, list[Predicted]]:
    """Each gold source fragment of each `polnear.GoldArticle`, resolved by the pipeline's resolver."""
    return {article.name: _resolve_gold_sources(article) for article in articles}


def _resolve_gold_sources(article: Any) -> list[Predicted]:
    from newsdistill.attribution.quotes import find_quotes
    from newsdistill.attribution.resolve import Resolver
    from newsdistill.entities.build import build_entities, to_entities
    from newsdistill.model import Article, Attribution, Source, Span
    from newsdistill.nlp import parse

    text = article.text
    doc = parse(Article(text=text))
    resolver = Resolver(doc, text, to_entities(build_entities(doc)), find_quotes(text))
    predicted: dict[tuple[int, int], Predicted] = {}
    by_content = sorted(
        (a for a in article.attributions if a.source), key=lambda a: min(a.content or a.source)
    )
    for gold in by_content:
        for start, end in gold.source:
            if (start, end) not in predicted:
                entity, name = resolver.resolve(start, end, text[start:end])
                predicted[start, end] = Predicted(start, end, name if entity else None)
                source = Source(text=text[start:end], start=start, end=end, entity=entity, name=name)
                first, last = min(gold.content or gold.source)[0], max(gold.content or gold.source)[1]
                content = Span(text=text[first:last], start=first, end=last)
                resolver.remember(Attribution(source=source, content=content))
    return list(predicted.values())


def gold_articles(items: list[GoldItem], root: Path = POLNEAR) -> list[Any]:
    """The PolNeAR articles (`polnear.GoldArticle`: text and gold attributions) that hold the items."""
    from newsdistill.attribution.polnear import read_split

    wanted = {(i.split, i.article) for i in items}
    return [a for s in sorted({s for s, _ in wanted}) for a in read_split(root, s) if (s, a.name) in wanted]


def article_texts(items: list[GoldItem], root: Path = POLNEAR) -> dict[str, str]:
    """Each article's text as PolNeAR stores it (read with the same reader as the attribution benchmark)."""
    from newsdistill.attribution.polnear import read_split

    wanted = {(i.split, i.article) for i in items}
    texts = {}
    for split in sorted({s for s, _ in wanted}):
        texts.update({a.name: a.text for a in read_split(root, split) if (split, a.name) in wanted})
    return texts


def table(report_of: Callable[[str], Report], found_column: bool = True) -> list[str]:
    """Rows for halves A, B and both: accuracy over all items, over items whose source was found (end to
    end only: at mention level every item's source is given), per kind."""
    found = "source found | " if found_column else ""
    lines = [
        f"| half | all items | {found}" + " | ".join(KINDS) + " |",
        "|" + "---|" * (2 + found_column + len(KINDS)),
    ]
    for half in ("A (dev)", "B (held out)", "both"):
        report = report_of(half[0] if half != "both" else "")
        kinds = " | ".join(report.by_kind[k].cell() for k in KINDS)
        found = f"{report.found.cell()} | " if found_column else ""
        lines.append(f"| {half} | {report.all.cell()} | {found}{kinds} |")
    return lines


def run(
    gold: Path = GOLD, model: str = "accurate", levels: tuple[str, ...] = ("end-to-end", "mention")
) -> list[str]:
    """The tables asked for: end to end (the `model`'s own attributions) and mention level (gold spans)."""
    items = load_gold(gold)
    articles = gold_articles(items)
    lines: list[str] = []
    if "end-to-end" in levels:
        predictions = newsdistill_predictions({a.name: a.text for a in articles}, model)
        lines += [f"End to end, {model} attribution:", ""]
        lines += table(lambda half: score(half_of(items, half), predictions))
    if "mention" in levels:
        given = gold_mention_predictions(articles)
        lines += ["", "Mention level (each gold source span resolved):", ""] if lines else []
        lines += table(lambda half: score(half_of(items, half), given), found_column=False)
    return lines


def summary_row(model: str = "accurate") -> str:
    """One line for benchmarks/attribution.py: accuracy on the whole gold set."""
    items = load_gold()
    report = score(items, newsdistill_predictions(article_texts(items), model))
    return f"speaker resolution, {model} model (gold set, {report.all.total} items): {report.all.cell()} " + (
        f"right, {report.found.cell()} where a source was found"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--attribution",
        choices=["fast", "accurate"],
        default="accurate",
        help="the model (default: accurate, as newsdistill)",
    )
    parser.add_argument(
        "--level", choices=["both", "end-to-end", "mention"], default="both", help="which tables to print"
    )
    args = parser.parse_args()
    levels = ("end-to-end", "mention") if args.level == "both" else (args.level,)
    if not POLNEAR.exists():
        print(f"PolNeAR not found at {POLNEAR}: ../shared/data is needed", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "src"))
    print("\n".join(run(model=args.attribution, levels=levels)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
