"""Sentence embeddings of articles, for stories: what an article reports, beyond the words it shares.

An article is embedded from its title and lead (the first MAX_TOKENS sub-word tokens) by the packaged
all-MiniLM-L6-v2 encoder, fine-tuned to tell one event from another of the same kind
(`encoder_training`), in int8 ONNX: one onnxruntime session per process on one thread, no torch.
Embeddings are unit length, so a dot product is their cosine. `newsdistill train story-encoder` builds
the files this module reads (`embeddings_export`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .. import onnx_models
from ..errors import ModelFileError
from ..model import Article

MODEL_DIR = Path(__file__).resolve().parent / "models" / "story_encoder"
REBUILD = "newsdistill train story-encoder --data ../shared/data/ecbplus/docs.jsonl"
DIMENSION = 384
MAX_TOKENS = 128  # [CLS] and [SEP] included: the title and the lead, what the article reports
LEAD_CHARACTERS = 1500  # more than MAX_TOKENS tokens of text: the tokenizer never reads the whole article


class Encoder:
    """The ONNX model and its tokenizer."""

    def __init__(self, model_dir: Path = MODEL_DIR, model_file: str = "model.onnx") -> None:
        self.meta = _read_meta(model_dir / "meta.json")
        self.tokenizer = _load_tokenizer(model_dir / "tokenizer.json")
        self.session = onnx_models.open_session(model_dir / model_file, REBUILD)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text (a text with no tokens embeds as [CLS] [SEP])."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        encoded = self.tokenizer.encode_batch(list(texts))
        inputs = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        return np.asarray(self.session.run(["embedding"], inputs)[0], dtype=np.float32)


def lead_text(article: Article) -> str:
    """What an article is embedded from: its title, then the opening of its text."""
    return f"{article.title or ''}\n{article.text[:LEAD_CHARACTERS]}".strip()


def embed_articles(articles: Sequence[Article]) -> np.ndarray:
    return load().embed([lead_text(a) for a in articles])


def carry(article: Article) -> Article:
    """Embed the article and carry the vector on it (a pipeline worker does this: `embed_stage`).
    One article per call: in a batch, int8 quantisation scales by the whole batch, so an article's
    vector would depend on its batch-mates, and a store on its batch size and worker count."""
    text = lead_text(article)
    article.carry("embedding", text, load().embed([text])[0])
    return article


def article_embedding(article: Article) -> np.ndarray:
    """The vector a worker carried on the article when it embeds the article's title and lead as they are
    now; else computed here (a direct `Store.add`, or an article edited after it was embedded)."""
    text = lead_text(article)
    carried = article.carried("embedding", text)
    return np.asarray(carried, dtype=np.float32) if carried is not None else load().embed([text])[0]


def fingerprint(model_dir: Path = MODEL_DIR) -> str | None:
    """What tells one encoder's vectors from another's: a hash of its meta.json (which records how it was
    trained and quantised) and the model file's size; None when the files cannot be read."""
    try:
        meta = (model_dir / "meta.json").read_bytes()
        size = (model_dir / "model.onnx").stat().st_size
    except OSError:
        return None
    return f"{hashlib.sha256(meta).hexdigest()[:16]}-{size}"


@lru_cache(maxsize=2)
def load(model_dir: str = str(MODEL_DIR)) -> Encoder:
    return Encoder(Path(model_dir))


def _read_meta(path: Path) -> dict[str, Any]:
    meta = onnx_models.read_meta(path, REBUILD)
    if meta.get("dimension") != DIMENSION:
        raise ModelFileError(
            f"{path} says dimension {meta.get('dimension')}, expected {DIMENSION}; {REBUILD}"
        )
    return meta


def _load_tokenizer(path: Path) -> Any:
    tokenizer = onnx_models.load_tokenizer(path, REBUILD)
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding()  # to the longest of a batch; the attention mask keeps padding out of the mean
    return tokenizer
