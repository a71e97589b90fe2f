"""The `embed` stage: an article's sentence embedding and near-duplicate signature, computed in the
pipeline's workers for the store.

The story model compares each new article's embedding (`embeddings`) with its candidate stories'. Computed
by the store it ran in the one process that writes, at about 20 ms an article; `ingest` adds this stage
last, so the workers (pool.WorkerPool) compute it in parallel and the vector comes back on the Article
(`Article.carry`, a private attribute: pickled with the result, never in the JSON record).
`Store.add` uses it when it still embeds the article's title and lead, and computes it otherwise. The
MinHash signature (`neardup.signature`, about 1 ms an article) rides along the same way
(used while it signs the text as it is, `Article.carried`): the one writer then only looks it up.

The stage lives in the corpus wing, beside the store that reads its output, and is not one of
`stages.STAGE_FACTORIES`: `process` writes JSON, which has no place for the vector.
"""

from __future__ import annotations

from .. import neardup
from ..model import Article
from . import embeddings


class Embed:
    name = "embed"

    def __init__(self) -> None:
        # Fails here, before a store is opened, when a model file is missing or broken; workers forked
        # from this process share the loaded session (one thread, so no thread pool is lost in the fork).
        embeddings.load()

    def __call__(self, article: Article) -> Article:
        article.carry("signature", article.text, neardup.signature(article.text))
        return embeddings.carry(article)
