"""Word lists and pattern lists shared by several wings, kept as data files in the package (one entry a
line, '#' comments), and the table of well-known news outlets (`data/outlets.txt`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit


@cache
def word_list(name: str) -> frozenset[str]:
    """The words of `data/<name>.txt`, lowercased, comments and blank lines left out."""
    text = resources.files("newsdistill").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


@cache
def pattern_list(name: str) -> tuple[str, ...]:
    """The regular-expression alternatives of `data/<name>.txt`, one a line, in file order (the order
    an alternation tries them). Only whole lines starting with '#' are comments, as '#' may be part of
    a pattern; each line is stripped, so a pattern cannot start or end with a literal space."""
    text = resources.files("newsdistill").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


STOPWORDS = word_list("stopwords")

# Languages whose function words the cleaner counts to tell prose from chrome (one stoplist a language, as
# jusText does): English is `stopwords.txt`, the others `stopwords-<code>.txt`.
PROSE_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl")


@cache
def stopwords_for(language: str) -> frozenset[str]:
    return STOPWORDS if language == "en" else word_list(f"stopwords-{language}")


@dataclass(frozen=True)
class Outlet:
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]


def name_key(name: str) -> str:
    """'Daily Mail', 'DailyMail', 'daily-mail' -> 'dailymail': how credits and names are compared."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _items(field: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in field.split(",") if item.strip())


@cache
def outlets() -> tuple[Outlet, ...]:
    """`data/outlets.txt`: one outlet a line, 'name | other names | web domains'."""
    text = resources.files("newsdistill").joinpath("data", "outlets.txt").read_text(encoding="utf-8")
    found = []
    for line in text.splitlines():
        fields = [part.strip() for part in line.split("#", 1)[0].split("|")]
        if fields[0]:
            fields += [""] * (3 - len(fields))
            found.append(Outlet(fields[0], _items(fields[1]), _items(fields[2].lower())))
    return tuple(found)


@cache
def outlet_names() -> dict[str, str]:
    """name_key of every name an outlet goes by -> the outlet's name."""
    return {name_key(alias): o.name for o in outlets() for alias in (o.name, *o.aliases)}


@cache
def _outlet_domains() -> dict[str, str]:
    return {domain: o.name for o in outlets() for domain in o.domains}


def outlet_for_host(host: str) -> str | None:
    """The known outlet a web host belongs to ('www.dailymail.co.uk' -> 'Daily Mail'), if any."""
    labels = host.lower().strip(".").split(".")
    domains = _outlet_domains()
    for start in range(len(labels) - 1):
        if (name := domains.get(".".join(labels[start:]))) is not None:
            return name
    return None


_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go"})
_HOST_PREFIXES = frozenset({"www", "m", "amp", "mobile"})


def registered_domain(host: str) -> str:
    """'www.news.example.co.uk' -> 'example.co.uk': the name a site registered (a country's second level,
    'co.uk', 'com.au', counts as its suffix). A host of one label or an IP address comes back as it is."""
    labels = host.lower().strip(".").split(".")
    while len(labels) > 2 and labels[0] in _HOST_PREFIXES:
        labels = labels[1:]
    if len(labels) < 2 or labels[-1].isdigit():
        return ".".join(labels)
    suffix = 2 if len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL and len(labels) >= 3 else 1
    return ".".join(labels[-suffix - 1 :])


@cache
def _section_keys() -> frozenset[str]:
    return frozenset(name_key(line) for line in word_list("outlet_sections"))


def normalised_outlet(outlet: str | None, url: str | None) -> str | None:
    """An outlet to show: a known outlet under its usual name ('MailOnline' -> 'Daily Mail'), another as
    written; a section label ('Opinion', 'U.S.') or a web address is no name, so then the page's host says:
    a known outlet's name, else its registered domain ('hawaiinewsnow.com')."""
    name = (outlet or "").strip()
    if _is_web_address(name):
        return _outlet_of_host(_host_of(name)) or _outlet_of_host(_host_of(url))
    if name and (known := outlet_names().get(name_key(name))) is not None:
        return known
    if name and name_key(name) and name_key(name) not in _section_keys():
        return name
    return _outlet_of_host(_host_of(url))


def _is_web_address(text: str) -> bool:
    return "://" in text or text.lower().startswith("www.")


def _host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url.strip() if "://" in url else "//" + url.strip()).hostname or None
    except ValueError:  # a malformed address (an unclosed IPv6 bracket) has no host
        return None


def _outlet_of_host(host: str | None) -> str | None:
    return (outlet_for_host(host) or registered_domain(host)) if host else None
