"""Search as people type it: the query language, filters, sort, counts and pages, CJK text, and no
query string or parameter that is answered with a 500 (hypothesis over the grammar and the routes)."""

from __future__ import annotations

import csv as csv_module
import io
import sqlite3
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdistill.corpus.query_language import QueryError, parse
from newsdistill.corpus.store import Store
from newsdistill.web.app import create_app

from .conftest import serving


def titles(base: str, q: str, **params: str) -> list[str]:
    response = httpx.get(f"{base}/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [hit["title"].split(" | ")[0] for hit in response.json()]  # the page title adds " | outlet"


def test_phrases_keep_their_word_order(base: str) -> None:
    assert titles(base, '"mortally wounded"') == ["Soldier mortally wounded"]
    assert titles(base, '"wounded mortally"') == ["Wounded, mortally, said the report"]


def test_exclusion_or_prefix_and_fields(base: str) -> None:
    assert titles(base, "putin -wagner") == ["Putin speaks"]
    assert titles(base, "putin NOT wagner") == ["Putin speaks"]
    assert sorted(titles(base, "soldier OR parliament")) == ["Putin speaks", "Soldier mortally wounded"]
    assert sorted(titles(base, "puti*")) == ["Putin and Wagner", "Putin speaks"]
    assert titles(base, "title:wagner") == ["Putin and Wagner"]
    assert titles(base, 'putin outlet:"evening star"') == ["Putin and Wagner"]


def test_cjk_words_are_found_inside_cjk_text(base: str) -> None:
    assert titles(base, "東京") == ["東京都の知事選挙"]
    assert titles(base, "知事選挙") == ["東京都の知事選挙"]
    assert titles(base, "大阪") == []
    hit = httpx.get(f"{base}/api/search", params={"q": "東京"}).json()[0]
    assert "[東京]" in hit["snippet"] or "[東][京]" in hit["snippet"]
    assert "\u200b" not in hit["snippet"]


def test_filters_sort_and_dates(base: str) -> None:
    assert titles(base, "putin", outlet="daily post") == ["Putin speaks"]
    assert titles(base, "putin", since="2024-03-04") == ["Putin and Wagner"]
    assert titles(base, "putin", until="2024-03-03") == ["Putin speaks"]
    assert titles(base, "putin", sort="newest") == ["Putin and Wagner", "Putin speaks"]
    assert titles(base, "putin", sort="oldest") == ["Putin speaks", "Putin and Wagner"]
    # a filter alone lists its articles
    assert titles(base, "", outlet="Nikkei Test") == ["東京都の知事選挙"]
    hit = httpx.get(f"{base}/api/search", params={"q": "soldier"}).json()[0]
    assert hit["published"].startswith("2024-03-01") and "url" in hit


def test_counts_and_paging_in_api_and_page(base: str) -> None:
    first = httpx.get(f"{base}/api/search", params={"q": "harvest", "limit": 20})
    assert first.headers["x-total-count"] == "25" and len(first.json()) == 20
    assert 'rel="next"' in first.headers["link"] and 'rel="prev"' not in first.headers["link"]
    rest = httpx.get(f"{base}/api/search", params={"q": "harvest", "limit": 20, "offset": 20})
    assert len(rest.json()) == 5 and 'rel="prev"' in rest.headers["link"]
    assert not {h["id"] for h in first.json()} & {h["id"] for h in rest.json()}
    page = httpx.get(f"{base}/", params={"q": "harvest", "sort": "newest"}).text
    assert "Results 1–20 of 25" in page and 'rel="next"' in page and 'rel="prev"' not in page
    assert "<title>“harvest” — search — newsdistill</title>" in page
    assert "sort=newest" in page.split('rel="next"')[1].split(">")[0]
    second = httpx.get(f"{base}/", params={"q": "harvest", "sort": "newest", "page": 2}).text
    assert "Results 21–25 of 25" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert "<time>2023-" in page and "original" not in second.split("results")[0]


@pytest.mark.parametrize("q", ['"unclosed', "-putin", "OR putin", "putin OR", "*", "NOT"])
def test_unreadable_queries_are_a_400_with_a_message(base: str, q: str) -> None:
    api = httpx.get(f"{base}/api/search", params={"q": q})
    assert api.status_code == 400 and api.json()["detail"].startswith("cannot read the query")
    page = httpx.get(f"{base}/", params={"q": q})
    assert page.status_code == 400 and 'role="alert"' in page.text and "cannot read the query" in page.text


def test_bad_filters_are_a_4xx_page_or_json(base: str) -> None:
    assert httpx.get(f"{base}/api/search", params={"q": "x", "since": "yesterday"}).status_code == 422
    page = httpx.get(f"{base}/", params={"q": "x", "since": "yesterday"})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "since" in page.text
    assert httpx.get(f"{base}/api/search", params={"q": "x", "sort": "random"}).status_code == 422
    empty_fields = {"q": "putin", "outlet": "", "since": "", "until": "", "language": "", "sort": "newest"}
    assert httpx.get(f"{base}/", params=empty_fields).status_code == 200  # a form sends its empty fields
    assert httpx.get(f"{base}/", params={"q": "x", "page": "99999999999999999999999"}).status_code == 422


def test_csv_and_json_downloads(base: str) -> None:
    csv = httpx.get(f"{base}/api/search", params={"q": "putin", "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    header, *rows = list(csv_module.reader(io.StringIO(csv.text)))
    assert header[:5] == ["id", "title", "outlet", "published", "url"] and len(rows) == 2
    assert "[" not in rows[0][header.index("snippet")]  # plain text in a download
    page = httpx.get(f"{base}/", params={"q": "putin"}).text
    assert "format=csv" in page and "format=json" in page


def test_stores_from_before_get_the_cjk_index_on_open(tmp_path: Path, search_db: Path) -> None:
    old = tmp_path / "old.db"
    with sqlite3.connect(search_db) as source, sqlite3.connect(old) as target:
        source.backup(target)
    with sqlite3.connect(old) as db:
        db.execute("DROP TABLE articles_cjk")
        db.execute("DELETE FROM meta WHERE key = 'cjk_index'")
    assert Store(old, readonly=True).search("東京") == []
    with serving(create_app(old)) as served:  # the server adds what search needs before it serves
        hits = httpx.get(f"{served}/api/search", params={"q": "東京"}).json()
        assert [hit["title"].split(" | ")[0] for hit in hits] == ["東京都の知事選挙"]
    with sqlite3.connect(old) as db:
        db.execute("DROP TABLE articles_cjk")
        db.execute("DELETE FROM meta WHERE key = 'cjk_index'")
    Store(old).close()  # opened for writing: migrated
    assert [hit["title"].split(" | ")[0] for hit in Store(old, readonly=True).search("東京")] == [
        "東京都の知事選挙"
    ]


QUERY_PIECES = st.sampled_from(
    [
        '"',
        "-",
        "OR",
        "NOT",
        "*",
        "title:",
        "outlet:",
        ":",
        "(",
        ")",
        "putin",
        "東京",
        " ",
        "AND",
        "^",
        "NEAR",
        "\\",
        "'",
        "{",
        "}",
        "+",
        "|",
        "\x00",
        "\ud7ff",
        "\u200b",
        "_",
        "%",
        "?",
    ]
)
QUERIES = st.one_of(st.text(max_size=40), st.lists(QUERY_PIECES, max_size=12).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUERIES)
def test_every_query_is_a_result_or_a_query_error(search_db: Path, q: str) -> None:
    store = Store(search_db, readonly=True)
    try:
        from newsdistill.corpus.queries import SearchRequest

        store.search_page(SearchRequest(text=q))
    except QueryError as error:
        assert str(error)
    store.close()


PARAMS = st.dictionaries(
    st.sampled_from(
        [
            "q",
            "outlet",
            "since",
            "until",
            "language",
            "type",
            "sort",
            "page",
            "limit",
            "offset",
            "format",
            "all_copies",
            "name",
        ]
    ),
    st.one_of(
        QUERIES, st.integers(-(2**70), 2**70).map(str), st.sampled_from(["2024-01-01", "newest", "csv"])
    ),
    max_size=5,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(
        ["/", "/api/search", "/api/who-said", "/entities", "/api/entities", "/stories", "/api/stories"]
    ),
    params=PARAMS,
)
@pytest.mark.slow
def test_every_route_answers_a_result_or_a_4xx(base: str, route: str, params: dict[str, str]) -> None:
    cleaned = dict(params)
    response = httpx.get(base + route, params=cleaned)
    assert response.status_code < 500, (route, cleaned, response.text[:300])


def test_the_grammar_on_its_own() -> None:
    assert parse('"wounded mortally" -x').fts() == '("wounded mortally") NOT "x"'
    assert parse("a OR b c").fts() == '("a" OR "b") AND "c"'
    assert parse('title:"harbour bridge" puti*').fts() == 'title : "harbour bridge" AND "puti"*'
    assert parse("ratio 3:1").fts() == '"ratio" AND "3 1"'
    assert parse("東京").fts() == '"東 京"'
    with pytest.raises(QueryError, match="quotation mark"):
        parse('"open')
