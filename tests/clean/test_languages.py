"""Pages in other languages: prose is measured with the page language's own function words, and chrome
phrases (footers, related-post headings, reading times, sharing) are read in German, French, Spanish,
Italian, Portuguese and Dutch as in English. Pages written here; nothing is keyed to a site."""

from __future__ import annotations

import pytest

import newsdistill
from newsdistill.clean.blocks import Block
from newsdistill.clean.classify import page_language
from newsdistill.clean.features import boilerplate_reason, compute, is_end_marker

GERMAN = [
    "Der Stadtrat hat am Montag nach einer langen Debatte den neuen Haushalt beschlossen, der mehr Geld für "
    "Schulen und Straßen vorsieht.",
    "Nach Angaben der Verwaltung sollen die Ausgaben für Reparaturen in den nächsten zwei Jahren um ein "
    "Drittel steigen, was viele Bürger begrüßen.",
    "Kritiker bemängelten jedoch, dass der Rat nicht erklärt habe, woher das zusätzliche Geld auf lange "
    "Sicht kommen solle.",
    "Die Opposition kündigte an, die Pläne in der nächsten Sitzung noch einmal zur Diskussion zu stellen "
    "und einen eigenen Vorschlag vorzulegen.",
]
FRENCH = [
    "Le conseil municipal a adopté lundi le nouveau budget après un long débat sur le financement des "
    "écoles et des routes de la ville.",
    "Selon la mairie, les dépenses consacrées aux réparations augmenteront d'un tiers au cours des deux "
    "prochaines années, ce que beaucoup saluent.",
    "Les critiques ont toutefois reproché au conseil de ne pas avoir expliqué d'où viendrait l'argent "
    "supplémentaire à long terme.",
]
ENGLISH = [
    "The city council approved the new budget on Monday after a long debate about funding for schools "
    "and roads in the town.",
    "Officials said the plan would raise spending on repairs by a third over the next two years, which "
    "many residents welcomed.",
]
RUSSIAN = [
    "Городской совет в понедельник после долгих дебатов утвердил новый бюджет, предусматривающий больше "
    "денег на школы и дороги.",
]


def _blocks(paragraphs: list[str]) -> list[Block]:
    blocks, start = [], 0
    for text in paragraphs:
        blocks.append(Block(text=text, start=start, end=start + len(text)))
        start += len(text) + 1
    return blocks


@pytest.mark.parametrize(
    ("paragraphs", "language"), [(GERMAN, "de"), (FRENCH, "fr"), (ENGLISH, "en"), (RUSSIAN, None)]
)
def test_page_language_from_function_words(paragraphs: list[str], language: str | None) -> None:
    assert page_language(_blocks(paragraphs)) == language


def test_german_prose_is_measured_as_prose_and_its_nouns_make_no_headline() -> None:
    block = _blocks(GERMAN[:1])[0]
    compute(block, "de")
    assert block.features["stop"] >= 0.25  # an English list finds almost none of these words
    assert block.features["english"] == 1.0  # prose measured with the page language's own list
    assert block.features["headline_lead"] == 0.0  # German capitalises its nouns
    compute(block, "en")
    assert block.features["stop"] < 0.1


def _german_page() -> str:
    body = _german_body()
    teasers = "".join(
        f'<div class="item"><a href="/b{i}">Bauarbeiten an der Hauptstraße beginnen im Frühjahr {i}</a>'
        f"<p>Die Stadt plant umfangreiche Arbeiten an mehreren Kreuzungen der Innenstadt.</p></div>"
        for i in range(3)
    )
    head = (
        '<meta property="og:url" content="https://zeitung.example/lokales/2024/05/06/stadtrat-beschliesst-'
        'neuen-haushalt-fuer-schulen"><meta name="author" content="Jo Reed">'
        '<script type="application/ld+json">'
        '{"@context":"https://schema.org","@type":"NewsArticle","datePublished":"2024-05-06T10:00:00Z"}</script>'
    )
    return f"""<!doctype html><html><head><title>Stadtrat beschließt Haushalt</title>{head}</head><body>
    <div class="top"><a href="/">Startseite</a> <a href="/suche">Suche</a></div>
    <div class="main"><h1>Stadtrat beschließt Haushalt</h1><div class="meta">4 Min. Lesezeit</div>
    {body}
    <div class="tools"><a href="#">Teilen</a> <a href="#">Drucken</a></div>
    <h3>Ähnliche Beiträge</h3>{teasers}</div>
    <div class="bottom"><p>© 2024 Beispiel Verlag GmbH. Alle Rechte vorbehalten. Vervielfältigung nur mit
    Genehmigung des Verlags.</p><a href="/impressum">Impressum</a> <a href="/datenschutz">Datenschutz</a>
    </div></body></html>"""


def test_german_page_keeps_its_body_and_drops_its_chrome() -> None:
    article = newsdistill.process(_german_page(), stages=("decode", "clean"))
    for paragraph in GERMAN:
        assert paragraph in article.text
    for chrome in ("4 Min. Lesezeit", "Alle Rechte vorbehalten", "Startseite", "Impressum"):
        assert chrome not in article.text, chrome
    assert {r.reason for r in article.removed if "Lesezeit" in r.text} == {"other"}


def test_german_related_posts_are_dropped() -> None:
    article = newsdistill.process(_german_page(), stages=("decode", "clean"))
    for chrome in ("Ähnliche Beiträge", "Bauarbeiten", "Teilen"):
        assert chrome not in article.text, chrome


def test_text_mode_names_the_language_it_measured() -> None:
    text = "\n\n".join(
        ["Stadtrat beschließt Haushalt", *GERMAN, "© 2024 Beispiel Verlag. Alle Rechte vorbehalten."]
    )
    article = newsdistill.process(text.encode(), stages=("decode", "clean"))
    assert article.language == "de"
    assert GERMAN[2] in article.text
    assert "Alle Rechte vorbehalten" not in article.text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("© 2024 Beispiel Verlag. Alle Rechte vorbehalten.", "footer"),
        ("Tous droits réservés", "footer"),
        ("Todos los derechos reservados. Prohibida su reproducción.", "footer"),
        ("Lesen Sie auch: Der Haushalt im Überblick", "related_link"),
        ("À lire aussi : le budget en détail", "related_link"),
        ("Leggi anche: il bilancio in sintesi", "related_link"),
        ("Laisser un commentaire", "comment_form"),
        ("Deine E-Mail-Adresse wird nicht veröffentlicht.", "comment_form"),
        ("Anzeige", "advert"),
        ("Publicidad", "advert"),
        ("Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten.", "cookie_notice"),
        ("Schlagwörter: Haushalt, Stadtrat", "other"),
        ("Lesezeit: 4 Minuten", "other"),
        ("Startseite", "navigation"),
        ("Volgende", "navigation"),
    ],
)
def test_chrome_phrases_in_other_languages(text: str, reason: str) -> None:
    block = Block(text=text, start=0, end=len(text))
    compute(block, "de")
    assert boilerplate_reason(block) == reason


@pytest.mark.parametrize(
    "heading", ["Ähnliche Beiträge", "Articles similaires", "Artículos relacionados", "12 Kommentare"]
)
def test_section_headings_in_other_languages_end_the_article(heading: str) -> None:
    block = Block(text=heading, start=0, end=len(heading))
    compute(block, "de")
    assert is_end_marker(block)


def test_a_page_without_a_lang_attribute_gets_the_language_of_its_prose() -> None:
    body = "".join(f"<p>{p}</p>" for p in FRENCH)
    html = f"<html><head><title>Le budget</title></head><body><article>{body}</article></body></html>"
    assert newsdistill.process(html, stages=("decode", "clean")).language == "fr"
    marked = html.replace("<html>", '<html lang="fr-CA">')
    assert newsdistill.process(marked, stages=("decode", "clean")).language == "fr"  # the markup's own
    russian = html.replace(body, "".join(f"<p>{p}</p>" for p in RUSSIAN * 3))
    assert newsdistill.process(russian, stages=("decode", "clean")).language is None  # no list: unknown


def _german_body() -> str:
    return "".join(f"<p>{p}</p>" for p in GERMAN)


def _english_body() -> str:
    return "".join(f"<p>{p}</p>" for p in [*ENGLISH, *ENGLISH])
