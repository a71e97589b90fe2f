"""Named pipeline stages and the default pipeline, built once per process.

Stages are imported lazily so that `newsdistill process --stages clean` never
loads spaCy, and worker processes load their models once.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import lru_cache

from .model import DEFAULT_ATTRIBUTION
from .pipeline import Component, Pipeline

# name -> "module:factory"; each factory takes keyword options and returns a Component.
STAGE_FACTORIES: dict[str, str] = {
    "decode": "newsdistill.inputs.component:Decode",
    "clean": "newsdistill.clean.component:Clean",
    "entities": "newsdistill.entities.component:Entities",
    "attribution": "newsdistill.attribution.component:Attribute",
}
DEFAULT_STAGES: tuple[str, ...] = ("decode", "clean", "entities", "attribution")


def make_stage(name: str, **options: object) -> Component:
    try:
        target = STAGE_FACTORIES[name]
    except KeyError:
        raise ValueError(f"unknown stage {name!r}; known: {', '.join(STAGE_FACTORIES)}") from None
    module_name, _, attr = target.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    component: Component = factory(**options)
    return component


def build_pipeline(stages: Sequence[str] = DEFAULT_STAGES, **options: object) -> Pipeline:
    """Build a pipeline; `options` go to every stage factory that accepts them."""
    components = []
    for name in stages:
        factory_options = {k: v for k, v in options.items() if k in _accepted_options(name)}
        components.append(make_stage(name, **factory_options))
    return Pipeline(components)


def _accepted_options(name: str) -> set[str]:
    if name not in STAGE_FACTORIES:
        raise ValueError(f"unknown stage {name!r}; known: {', '.join(STAGE_FACTORIES)}")
    module_name, _, attr = STAGE_FACTORIES[name].partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    return set(getattr(factory, "OPTIONS", ()))


@lru_cache(maxsize=8)
def cached_pipeline(
    stages: tuple[str, ...] = DEFAULT_STAGES, mode: str = "balanced", attribution: str = DEFAULT_ATTRIBUTION
) -> Pipeline:
    return build_pipeline(stages, mode=mode, attribution=attribution)
