"""Person names: small name lists (honorifics, gender cues, role nouns) and the rules that reduce a
mention to a person's bare name, shared by the corpus (merging people) and its queries."""

from __future__ import annotations

import re

from ..model import Entity

# fmt: off
HONORIFICS = {  # title -> the gender it implies (None: either)
    "mr": "M", "mr.": "M", "mister": "M", "sir": "M", "lord": "M",
    "ms": "F", "ms.": "F", "mrs": "F", "mrs.": "F", "miss": "F", "dame": "F", "lady": "F", "madam": "F",
    "dr": None, "dr.": None, "prof": None, "prof.": None, "professor": None, "president": None,
    "senator": None, "sen.": None, "rep.": None, "gov.": None, "governor": None, "minister": None,
    "general": None, "gen.": None, "judge": None, "justice": None, "mayor": None, "secretary": None,
    "chancellor": None, "prime": None,
}
# fmt: on
FEMALE_NAMES = frozenset(
    """alicia mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty
    margaret sandra ashley kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie
    rebecca sharon laura cynthia kathleen amy shirley angela helen anna brenda pamela nicole emma samantha
    katherine christine debra rachel catherine carolyn janet ruth maria heather diane virginia julie joyce
    victoria olivia kelly christina lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline
    frances gloria ann teresa kathryn sara janice jean alice madison doris abigail julia judy grace denise
    amber marilyn beverly danielle theresa sophia marie diana brittany natalie isabella charlotte rose
    alexis kayla hillary theresa nancy kamala ursula angela liz priti suella rishi jacinda nicola yvette
    harriet penny kemi giorgia marine ilhan alexandria elise kirsten tulsi nikki sarah condoleezza
    madeleine janet christine kristalina svetlana yulia olena maria""".split()
) - {"rishi"}
MALE_NAMES = frozenset(
    """james robert john michael william david richard joseph thomas charles christopher daniel matthew
    anthony antony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward
    jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin
    samuel gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry
    douglas zachary peter kyle walter ethan jeremy harold keith christian roger noah gerald carl terry
    sean austin arthur lawrence jesse dylan bryan joe jordan billy bruce albert willie gabriel logan alan
    juan wayne roy ralph randy eugene vincent russell elijah louis bobby philip johnny vladimir yevgeny
    sergei sergey dmitry alexei alexey volodymyr boris emmanuel olaf rishi keir barack bernie mitch chuck
    ted marco jeb ben mike chris hunter kevin lindsey rand xi recep narendra benjamin bashar kim jair luis
    andres justin viktor mohammed muhammad ali ahmed hassan ivan igor nikolai mikhail yuri oleg viktor
    valery""".split()
)
ROLE_NOUNS = frozenset(
    """mp minister president leader official officials spokesman spokeswoman spokesperson chief chairman
    chairwoman chair senator secretary governor mayor general commander director head envoy ambassador
    diplomat lawmaker congressman congresswoman candidate premier chancellor king queen prince analyst
    expert adviser advisor aide executive ceo founder owner judge lawyer attorney prosecutor officer
    colonel captain sergeant actor singer star player coach manager president-elect tycoon billionaire
    businessman businesswoman organiser organizer councillor councilor resident witness teacher doctor
    nurse professor researcher scientist economist""".split()
)
DATA_HEADS = frozenset(
    "data figures records statistics analysis report estimates numbers polling poll survey".split()
)

# Words that head a name without being part of it ("President", "Mr.", "Deputy Minister").
TITLES = frozenset(
    {t.rstrip(".") for t in HONORIFICS} | ROLE_NOUNS | {"minister", "vice", "deputy", "former", "acting"}
)
_NAME = re.compile(r"^[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){0,2}$")


def bare_person_name(name: str) -> str:
    """A person's name without titles or possessive: 'President Vladimir Putin' -> 'Vladimir Putin'."""
    words = name.replace("’", "'").removesuffix("'s").split()
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words)


def person_names(entity: Entity) -> tuple[str, set[str]]:
    """The entity's name and every alias, titles dropped; the aliases lowercased for lookups."""
    name = bare_person_name(entity.name) or entity.name
    return name, {bare_person_name(n).lower() for n in (entity.name, *entity.aliases) if n.strip()}


def looks_like_name(text: str) -> bool:
    """One to three capitalised words: a speaker worth looking up as a person ('Ortiz', 'Helen Ortiz')."""
    return bool(_NAME.match(text))
