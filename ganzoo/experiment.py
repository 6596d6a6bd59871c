"""The experiment registry: named functions returning configs, and `get_experiment`."""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable, Mapping
from typing import Any

from ganzoo import config as config_lib
from ganzoo.errors import ConfigError
from ganzoo.registry import Registry

EXPERIMENTS: Registry[Callable[[], config_lib.Config]] = Registry("experiment")
# name -> overrides that shrink the experiment for smoke tests (e.g. a tiny model.width).
_SMOKE_OVERRIDES: dict[str, dict[str, Any]] = {}
_loaded = False


def register_experiment(name: str, *, smoke_overrides: Mapping[str, Any] | None = None):
    """Decorator: `@register_experiment("mnist_dcgan")` on a function returning a Config.

    The function's docstring's first line is its description in `--mode=list`.
    `smoke_overrides` (e.g. {"model.width": 4}) shrink an experiment too large for CI's
    2-step smoke test (`smoke_overrides(name)`); they are never applied to real runs.
    """

    def decorator(fn):
        EXPERIMENTS.register(name)(fn)
        if smoke_overrides:
            _SMOKE_OVERRIDES[name] = dict(smoke_overrides)
        return fn

    return decorator


def unregister_experiment(name: str) -> None:
    """Removes an experiment registered from outside ganzoo (a plugin's or a test's cleanup)."""
    EXPERIMENTS.unregister(name)
    _SMOKE_OVERRIDES.pop(name, None)


def smoke_overrides(name: str) -> dict[str, Any]:
    """The overrides experiment `name` registered for smoke tests ({} for most)."""
    load_builtin_experiments()
    return dict(_SMOKE_OVERRIDES.get(name, {}))


def load_builtin_experiments() -> None:
    """Imports the modules that register experiments: entry points in the group
    `ganzoo.experiments` (so other packages can add theirs), and ganzoo's own `experiments`."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for entry in importlib.metadata.entry_points(group="ganzoo.experiments"):
        entry.load()
    importlib.import_module("experiments")


def list_experiments() -> dict[str, str]:
    """{name: one-line description} of every registered experiment."""
    load_builtin_experiments()
    out = {}
    for name in EXPERIMENTS.names():
        doc = (EXPERIMENTS.get(name).__doc__ or "").strip().splitlines()
        out[name] = doc[0] if doc else ""
    return out


def get_experiment(name: str, overrides: Mapping[str, Any] | None = None) -> config_lib.Config:
    """The validated, locked config of experiment `name` with dotted-key overrides applied."""
    load_builtin_experiments()
    config = EXPERIMENTS.get(name)()
    config.name = name
    if not config.description:
        config.description = list_experiments()[name]
    config = config_lib.apply_overrides(config, overrides)
    return validate(config)


def validate(config: config_lib.Config) -> config_lib.Config:
    """Checks values that types alone don't catch; returns the config locked.

    In this order (the first error is raised): the shared sections; which family runs the
    config (exactly one may claim it); the data source, loss and architecture names; the
    family's own checks; the stabilisers, judge, edit and TFRecord settings.
    """
    from ganzoo import editing, losses, models, stabilizers
    from ganzoo.data import pipeline, sharded
    from ganzoo.family import family_of
    from ganzoo.judge import settings as judge_settings

    config_lib.check_shared(config)
    family = family_of(config)  # loads the families, which register their sources and archs
    source = config.data.source
    if source not in pipeline.SOURCES:
        raise ConfigError(
            f"Received: data.source={source!r}. Expected one of {', '.join(pipeline.SOURCES)}."
        )
    pipeline.check_config(config)
    losses.LOSSES.get(config.model.loss)
    models.MODELS.get(config.model.arch)
    family.check_config(config)
    for check in (stabilizers, judge_settings, editing, sharded):
        check.check_config(config)
    config.lock()
    return config
