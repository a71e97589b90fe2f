"""Page metadata from JSON-LD, OpenGraph and meta tags."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from .metadata import parse_date

_ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "webpage",
    "report",
    "scholarlyarticle",
    "techarticle",
    "liveblogposting",
}


@dataclass
class PageMeta:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    language: str | None = None
    kinds: set[str] = field(
        default_factory=set
    )  # JSON-LD @types and og:type, lower-cased: page-type evidence


_META_ATTRIBUTES = ("property", "name", "itemprop")


def meta_tags(tree: LexborHTMLParser) -> dict[tuple[str, str], str]:
    """(attribute, value) -> the content of the first <meta> with it: one walk of the page, where a CSS
    query for each key and attribute (up to 72 a page) walked it again."""
    found: dict[tuple[str, str], str] = {}
    for node in tree.css("meta"):
        attributes = node.attributes
        content = attributes.get("content") or ""
        for attr in _META_ATTRIBUTES:
            value = attributes.get(attr)
            if value is not None:
                found.setdefault((attr, value), content)
    return found


def _meta(tags: dict[tuple[str, str], str], *keys: str) -> str | None:
    for key in keys:
        for attr in _META_ATTRIBUTES:
            if content := tags.get((attr, key), "").strip():
                return content
    return None


def _json_ld_objects(tree: LexborHTMLParser) -> Iterator[dict[str, Any]]:
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text() or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                yield item


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip() and "://" not in name and len(name) < 80:
            names.append(" ".join(name.split()))
    return names


def _from_json_ld(tree: LexborHTMLParser, meta: PageMeta) -> None:
    for obj in _json_ld_objects(tree):
        types = obj.get("@type")
        type_names = {
            t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)
        }
        meta.kinds |= type_names
        if not type_names & _ARTICLE_TYPES:
            continue
        meta.title = meta.title or _first_str(obj.get("headline"))
        meta.authors = meta.authors or _names(obj.get("author") or [])
        meta.published = meta.published or parse_date(_first_str(obj.get("datePublished")) or "")
        publisher = _names(obj.get("publisher") or [])
        meta.outlet = meta.outlet or (publisher[0] if publisher else None)


def _first_str(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):  # JSON-LD is script text: its "&#8220;" and "&nbsp;" were never unescaped
        value = html.unescape(value)
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def page_meta(tree: LexborHTMLParser) -> PageMeta:
    meta = PageMeta()
    tags = meta_tags(tree)
    _from_json_ld(tree, meta)
    meta.title = meta.title or _meta(tags, "og:title", "twitter:title", "dc.title")
    if meta.title is None and (node := tree.css_first("title")) is not None:
        meta.title = " ".join((node.text() or "").split()) or None
    meta.outlet = meta.outlet or _meta(tags, "og:site_name", "application-name")
    if not meta.authors and (
        author := _meta(tags, "author", "article:author", "byl", "dc.creator", "parsely-author")
    ):
        meta.authors = [] if "://" in author else [author.removeprefix("By ").removeprefix("by ").strip()]
    date_text = _meta(
        tags,
        "article:published_time",
        "datePublished",
        "pubdate",
        "publish-date",
        "date",
        "dc.date",
        "dc.date.issued",
        "og:published_time",
        "sailthru.date",
        "parsely-pub-date",
    )
    meta.published = meta.published or (parse_date(date_text) if date_text else None)
    if og_type := _meta(tags, "og:type"):
        meta.kinds.add(f"og:{og_type.lower()}")
    meta.url = _meta(tags, "og:url")
    if meta.url is None and (canonical := tree.css_first('link[rel="canonical"]')) is not None:
        meta.url = canonical.attributes.get("href")
    html = tree.css_first("html")
    lang = (html.attributes.get("lang") or "") if html is not None else ""
    meta.language = (lang.split("-")[0].lower() or None) if lang else _meta(tags, "og:locale", "language")
    if meta.language and "_" in meta.language:
        meta.language = meta.language.split("_")[0].lower()
    return meta
