"""Word lists and pattern lists shared by several wings, kept as data files in the package (one entry a
line, '#' comments), and the table of well-known news outlets (`data/outlets.txt`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


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
