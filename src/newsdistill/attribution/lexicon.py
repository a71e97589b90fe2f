"""Cue words: verbs and phrases that introduce what someone said, claimed or believes."""

from __future__ import annotations

CUE_LEMMAS = frozenset(
    """say tell claim warn suggest add report announce state argue insist believe think note explain accuse
    deny admit acknowledge confirm reveal write ask call describe predict promise pledge vow urge estimate
    show find expect hope fear worry complain contend allege assert declare indicate point stress
    emphasize emphasise maintain recall testify tweet post respond reply concede agree disagree criticize
    criticise praise question doubt know learn feel want suspect conclude caution joke boast brag lament
    quip recount reiterate remark mention observe predict speculate signal suggest tout vowed warn wonder
    answer counter retort charge blame demand propose recommend advise acknowledge assure reassure concede
    disclose inform notify announce raise express cite quote""".split()
)
# Cue verbs whose subject is the source and that can take a reported clause or a quote.
SPEECH_LEMMAS = frozenset(
    """say tell claim warn suggest add report announce state argue insist note explain accuse deny admit
    acknowledge confirm reveal write ask describe predict promise pledge vow urge estimate complain
    contend allege assert declare indicate stress emphasize emphasise maintain recall testify tweet
    respond reply concede caution joke boast lament quip recount reiterate remark mention observe
    speculate answer counter retort charge believe think fear expect hope claim""".split()
)
# "raised the prospect that", "expressed concern over": verb + object noun make one cue.
CUE_NOUN_OBJECTS = frozenset(
    "prospect concern fear fears hope hopes doubt doubts possibility question questions warning alarm belief "
    "view opinion claim claims suggestion".split()
)
MEDIUM_VERBS = frozenset({"tell", "write", "post", "tweet"})
NOUN_CUE_VERBS = frozenset(
    {"raise", "express", "voice", "issue", "share", "cast", "dismiss", "reject", "float"}
)
