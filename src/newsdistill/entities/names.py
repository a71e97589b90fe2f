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
# First names given to women and men alike: no gender from them.
UNISEX_NAMES = frozenset(
    "terry jordan pat chris kelly sam jean lynn taylor alex robin leslie dana jamie casey".split()
)
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
    madeleine janet christine kristalina svetlana yulia olena maria michelle loretta donna kellyanne
    sheryl huma hope melania ivanka chelsea elizabeth debbie jill susanna maxine nydia tammy barbara
    claire dianne patty maggie amy heidi lisa jeanne shelley marsha cathy kelly susan joni katie
    kathy carly hilary sally samantha valerie nina tina wendy zoe caroline jane kate lucy molly
    ruth ginger gwen lynn irene eleanor peggy""".split()
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
    valery jeff josh tim tom jim bill bob dick rick steve greg doug ron rob nick matt dan dave pat
    reince newt rudy marco mike paul jeb ted rand john lindsey chris harry mitch orrin pete rahm
    sean corey jared eric kellan hugh ken pence tony phil fred ed al howard neil ralph stuart glenn
    bret lester chuck wolf anderson rush sid brent leon karl roy luke max sam seth simon spencer
    todd travis trent troy vince warren wes will""".split()
) - {"pence", "anderson", "warren"}
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
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
# A date inside a name ('Trump's July 25', '25 July'): NER glued it to a name, or it is all there is.
_DATE = re.compile(
    rf"\b(?:{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?\b|\d{{1,2}}(?:st|nd|rd|th)? {_MONTH}(?!\w))", re.I
)
_WEEKDAY_ALONE = re.compile(rf"^{_WEEKDAY}$", re.I)  # 'Monday'; 'Sunday Times' is a name
_NUMBER_WORD = re.compile(r"^[\d.,:/%-]+(?:st|nd|rd|th|s)?$", re.I)
_POSSESSIVE_THEN = re.compile(r"['’]s? (\S)")


def first_name_gender(first: str) -> str | None:
    """'F' or 'M' for a first name the lists give one gender; None for a unisex or unknown one."""
    if first in UNISEX_NAMES:
        return None
    return "F" if first in FEMALE_NAMES else "M" if first in MALE_NAMES else None


def title_gender(text: str, start: int) -> str | None:
    """'F' or 'M' when the word right before `start` is a gendered title ('Mrs. Clinton', 'Mister Rogers'),
    else None: the title a name's mention leaves out."""
    words = text[max(0, start - 8) : start].lower().split()
    return HONORIFICS.get(words[-1]) if words else None


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


def is_entity_name(text: str, kind: str) -> bool:
    """Whether an NER span can name a person, organisation or place: not a date ('Trump's July 25'),
    a number, a lowercase phrase ('the mayor'), a possessive running into more words ('Trump's own'), and
    for a person no digits at all. Scripts without case (Chinese, Arabic) pass the case rules."""
    words = text.split()
    if not words or not any(ch.isalpha() for ch in text):
        return False
    if _DATE.search(text) or _WEEKDAY_ALONE.match(text):
        return False
    if all(_NUMBER_WORD.match(w) for w in words) or (kind == "PERSON" and any(ch.isdigit() for ch in text)):
        return False
    cased = [ch for ch in text if ch.lower() != ch.upper()]
    if cased and not any(ch.isupper() for ch in cased):  # 'eBay' and 'de Gaulle' have a capital somewhere
        return False
    after = _POSSESSIVE_THEN.search(text)
    return after is None or not (after.group(1).islower() or after.group(1).isdigit())
