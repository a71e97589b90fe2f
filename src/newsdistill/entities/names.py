"""Small name lists for person entities: honorifics, gender cues and role nouns."""

from __future__ import annotations

HONORIFICS = {
    "mr": "M", "mr.": "M", "mister": "M", "sir": "M", "lord": "M",
    "ms": "F", "ms.": "F", "mrs": "F", "mrs.": "F", "miss": "F", "dame": "F", "lady": "F", "madam": "F",
    "dr": None, "dr.": None, "prof": None, "prof.": None, "professor": None, "president": None, "senator": None,
    "sen.": None, "rep.": None, "gov.": None, "governor": None, "minister": None, "general": None, "gen.": None,
    "judge": None, "justice": None, "mayor": None, "secretary": None, "chancellor": None, "prime": None,
}
FEMALE_NAMES = frozenset(
    """alicia mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret
    sandra ashley kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca sharon laura
    cynthia kathleen amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine debra
    rachel catherine carolyn janet ruth maria heather diane virginia julie joyce victoria olivia kelly christina
    lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn sara
    janice jean alice madison doris abigail julia judy grace denise amber marilyn beverly danielle theresa sophia
    marie diana brittany natalie isabella charlotte rose alexis kayla hillary theresa nancy kamala ursula angela
    liz priti suella rishi jacinda nicola yvette harriet penny kemi giorgia marine ilhan alexandria elise
    kirsten tulsi nikki sarah condoleezza madeleine janet christine kristalina svetlana yulia olena maria""".split()
) - {"rishi"}
MALE_NAMES = frozenset(
    """james robert john michael william david richard joseph thomas charles christopher daniel matthew anthony
    antony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan
    jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank
    patrick raymond jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle walter ethan
    jeremy harold keith christian roger noah gerald carl terry sean austin arthur lawrence jesse dylan bryan joe
    jordan billy bruce albert willie gabriel logan alan juan wayne roy ralph randy eugene vincent russell elijah
    louis bobby philip johnny vladimir yevgeny sergei sergey dmitry alexei alexey volodymyr boris emmanuel olaf
    rishi keir barack bernie mitch chuck ted marco jeb ben mike chris hunter kevin lindsey rand xi recep narendra
    benjamin bashar kim jair luis andres justin viktor mohammed muhammad ali ahmed hassan ivan igor nikolai
    mikhail yuri oleg viktor valery""".split()
)
ROLE_NOUNS = frozenset(
    """mp minister president leader official officials spokesman spokeswoman spokesperson chief chairman chairwoman
    chair senator secretary governor mayor general commander director head envoy ambassador diplomat lawmaker
    congressman congresswoman candidate premier chancellor king queen prince analyst expert adviser advisor aide
    executive ceo founder owner judge lawyer attorney prosecutor officer colonel captain sergeant actor singer
    star player coach manager president-elect tycoon billionaire businessman businesswoman organiser organizer
    councillor councilor resident witness teacher doctor nurse professor researcher scientist economist""".split()
)
GROUP_SOURCE_HEADS = frozenset(
    "officials sources source forces experts analysts critics residents witnesses officers leaders reports "
    "authorities police investigators diplomats aides insiders".split()
)
DATA_HEADS = frozenset("data figures records statistics analysis report estimates numbers polling poll survey".split())
