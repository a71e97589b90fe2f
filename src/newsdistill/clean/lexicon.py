"""Word lists and patterns the block classifier uses. Nothing here names a site or a page."""

from __future__ import annotations

import re

from ..lexicons import pattern_list
from ..model import RemovedReason

_COMMENT_COUNT = r"\d+ (?:responses|comments|replies|thoughts) (?:to|on)\b"
COMMENT_COUNT_HEADING = re.compile(rf"^{_COMMENT_COUNT}", re.I)  # "34 responses to <title>"

# Short blocks that open a region of site chrome: everything after them at page end goes too. The phrases
# are data (`data/end_markers.txt`); its comment-count line spells out _COMMENT_COUNT.
END_MARKERS = re.compile(rf"^(?:{'|'.join(pattern_list('end_markers'))})\s*:?$", re.I)

# (reason, pattern) for blocks that are chrome wherever they stand. First match wins. Written in lower case
# and matched against lower-cased text (Block.lowered) without re.I, which takes a third of the time
# (tests/clean/test_lexicon_lowered.py checks the sources).
BOILERPLATE_PATTERNS: list[tuple[RemovedReason, re.Pattern[str]]] = [
    (
        "related_link",
        re.compile(
            r"^(?:see also|read also|also read|read more|related|more|recommended|watch|listen|"
            r"click here|must read|don'?t miss|trending)\s*[:»>|–—-]?\s+\S",
        ),
    ),
    (
        "comment_form",
        re.compile(
            r"leave a (?:reply|comment)|your email address will not be published|required fields are "
            r"marked|post comment|cancel reply|comments? (?:are|is) closed|log ?in to (?:comment|reply)|"
            r"^name\s*\*?$|^email\s*\*?$|^website$|save my name, email|characters? remaining|"
            r"community guidelines|be the first to comment|view comments|show comments",
        ),
    ),
    (
        "newsletter",
        re.compile(
            r"newsletters?\b|sign up (?:for|to)\b|subscribe (?:to|now|today)|get (?:notified|our|the "
            r"latest)|delivered (?:to|straight to) your inbox|enter your email|your inbox|"
            r"(?:every|each) (?:day|week|morning|evening) we send",
        ),
    ),
    (
        "cookie_notice",
        re.compile(
            r"\bcookies?\b.{0,80}\b(?:use|accept|consent|policy|settings|experience)|"
            r"we use cookies|accept (?:all )?cookies|privacy (?:policy|settings|preferences)",
        ),
    ),
    (
        "share",
        re.compile(
            r"^click to (?:share|email|print)\b|"
            r"^(?:share(?: this)?(?: on)?|tweet|pin it|email|print|copy link|whatsapp|facebook|twitter|"
            r"linkedin|reddit|flipboard|follow us(?: on)?.*|share (?:on|via) \w+)\s*[:|]?$",
        ),
    ),
    (
        "advert",
        re.compile(
            r"^(?:advertisement|advertising|sponsored|ad|ads|promoted|paid (?:content|post)|"
            r"story continues (?:below|after) (?:this )?advertisement|continue reading (?:below|the main "
            r"story))\s*:?$",
        ),
    ),
    (
        "footer",
        re.compile(
            r"(?:©|\(c\)|copyright)\s*(?:\d{4}|[a-z])|all rights reserved|subject to copyright|"
            r"no part (?:of this|may be)|without (?:the )?(?:prior )?written permission|terms (?:of|and) "
            r"(?:use|service|conditions)|^privacy policy$|^(?:about us|contact us|careers|sitemap|"
            r"site map|accessibility)$",
        ),
    ),
    ("other", re.compile(r"^(?:filed under|tags|tagged|topics|categories|posted in|more about)\s*:")),
    (
        "navigation",
        re.compile(
            r"^(?:home|menu|search|skip to (?:main )?content|sign in|log ?in|log ?out|register|"
            r"subscribe|my account|next|previous|prev|back to top|go to top|more|close|open|"
            r"toggle navigation|main menu|show more|load more|view all|see all|all news)\s*[»›>]*$",
        ),
    ),
]


def for_lowered_text(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` without re.I, for text lower-cased once: about a third of the time of an re.I search.
    The sources are written in lower case (tests/clean/test_lexicon_lowered.py checks it)."""
    return re.compile(pattern.pattern, pattern.flags & ~re.I)


# The same kinds of chrome in German, French, Spanish, Italian, Portuguese and Dutch, tried on pages in those
# languages only (features.compute marks them): on English pages they would only cost time. Lower case, as
# above.
OTHER_LANGUAGE_PATTERNS: list[tuple[RemovedReason, re.Pattern[str]]] = [
    (
        "related_link",
        re.compile(
            r"^(?:siehe auch|lesen sie auch|auch interessant|mehr zum thema|weiterlesen|lire aussi|"
            r"à lire aussi|voir aussi|lea también|lee también|leer más|ver también|leggi anche|vedi anche|"
            r"leia também|veja também|saiba mais|lees ook|zie ook|lees meer)\s*[:»>|–—-]?\s+\S",
        ),
    ),
    (
        "comment_form",
        re.compile(
            r"(?:schreibe|schreiben sie) einen kommentar|kommentar (?:schreiben|abgeben|verfassen)|"
            r"(?:deine|ihre) e-mail-adresse wird nicht veröffentlicht|erforderliche felder sind|"
            r"laisser un commentaire|votre adresse (?:e-mail|email|de messagerie) ne sera pas publiée|"
            r"les champs obligatoires sont|deja un comentario|no será publicad[ao]|"
            r"los campos obligatorios están|lascia un commento|non sarà pubblicato|"
            r"i campi obbligatori sono|deixe um comentário|não será publicado|laat een reactie achter|"
            r"wordt niet gepubliceerd",
        ),
    ),
    (
        "newsletter",
        re.compile(
            r"newsletters?\b|(?:jetzt|kostenlos) abonnieren|abonnez-vous|inscrivez-vous|suscríbete|"
            r"iscriviti|inscreva-se|schrijf je in|meld je aan",
        ),
    ),
    (
        "cookie_notice",
        re.compile(
            r"wir (?:verwenden|nutzen) cookies|diese (?:website|webseite|seite) (?:verwendet|nutzt) cookies|"
            r"nous utilisons des cookies|ce site utilise des cookies|utilizamos cookies|"
            r"este sitio (?:web )?utiliza cookies|utilizziamo (?:i )?cookie|"
            r"questo sito utilizza (?:i )?cookie|wij gebruiken cookies|"
            r"deze (?:website|site) gebruikt cookies",
        ),
    ),
    (
        "share",
        re.compile(
            r"^(?:(?:artikel |jetzt )?teilen|drucken|partager|imprimer|compartir|imprimir|condividi|stampa|"
            r"compartilhar|partilhar|delen|afdrukken)\s*[:|]?$",
        ),
    ),
    (
        "advert",
        re.compile(
            r"^(?:anzeige|werbung|gesponsert|publicité|sponsorisé|publicidad|patrocinado|pubblicità|"
            r"publicidade|advertentie)\s*:?$",
        ),
    ),
    (
        "footer",
        re.compile(
            r"alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|"
            r"tutti i diritti riservati|todos os direitos reservados|alle rechten voorbehouden|"
            r"(?:vervielfältigung|nachdruck) nur mit|reproduction interdite|riproduzione riservata|"
            r"^(?:impressum|datenschutz(?:erklärung)?|kontakt|agb|mentions légales|"
            r"politique de confidentialité|aviso legal|política de privacidad|contatti|colofon)$",
        ),
    ),
    (
        "other",
        re.compile(
            r"^(?:schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|themen|kategorien|mots-clés|étiquettes|"
            r"catégories|etiquetas|categorías|argomenti|categorie|trefwoorden)\s*:|"
            # reading time: "4 Min. Lesezeit", "Lesezeit: 4 Minuten", "4 min de lecture"
            r"^(?:\d+\s*min(?:\.|uten?)?\s*(?:lesezeit|de lecture|de lectura|di lettura|leestijd)|"
            r"(?:lesezeit|temps de lecture|tiempo de lectura|tempo di lettura|leestijd)"
            r"\s*:?\s*\d+\s*min\w*\.?)$",
        ),
    ),
    (
        "navigation",
        re.compile(
            r"^(?:startseite|suche|menü|anmelden|abmelden|registrieren|weiter|zurück|nach oben|schließen|"
            r"alle anzeigen|accueil|rechercher|recherche|se connecter|connexion|suivant|précédent|"
            r"haut de page|fermer|voir tout|inicio|buscar|iniciar sesión|siguiente|anterior|cerrar|"
            r"ver todo|cerca|accedi|successivo|precedente|chiudi|início|pesquisar|próximo|zoeken|"
            r"inloggen|volgende|vorige|sluiten)\s*[»›>]*$",
        ),
    ),
]

CAPTION_MARKERS = re.compile(
    r"\((?:pictured|left|right|centre|center|above|below|top|bottom|front|back|file|file photo|inset|"
    r"top left|top right|bottom left|bottom right|second left|second right|main picture|stock image)\)|"
    r"\b(?:photo|picture|image|credit|photograph|illustration)s?\s*(?:by|:)|getty images|\bap photo\b|"
    r"\bafp via getty\b|shutterstock|\(photo\b|\bphoto: ",
    re.I,
)

PARENTHETICAL_CAPTION_BITS = re.compile(
    r"\s*\((?:pictured|left|right|centre|center|above|below|top|bottom|inset|file|file photo|"
    r"top left|top right|bottom left|bottom right|second left|second right)\)",
    re.I,
)

BYLINE = re.compile(
    r"^(?:by|written by|words by|reporting by|story by|author:?)\s+([A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
    r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})*)",
    re.I,
)
MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
DATE_IN_TEXT = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTHS}\.?,?\s+\d{{4}}|"
    rf"{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})(?!\d)",
    re.I,
)
DATELINE = re.compile(
    r"^(?:published|updated|posted|last updated|first published|modified|date)?\s*:?\s*", re.I
)

COMMENT_META = re.compile(
    r"^.{1,60}\b(?:says|said|wrote|writes|replied):$|^reply$|^report(?: comment| abuse)?$|"
    r"^(?:\d+ )?(?:likes?|upvotes?|points?)$|"
    r"\b\d{1,2}:\d{2}\s*(?:am|pm)\b|\b(?:\d+|an?|one) (?:minutes?|hours?|days?|weeks?|months?) ago\b",
    re.I,
)
