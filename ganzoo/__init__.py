"""ganzoo: a tested GAN model zoo for TensorFlow 2 / Keras 3.

The public names below resolve lazily (PEP 562): `import ganzoo.config` (or `import ganzoo`)
loads no TensorFlow until a name that needs it is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> (module, attribute); attribute None means the module itself.
_EXPORTS = {
    "augment": ("ganzoo.augment", None),
    "editing": ("ganzoo.editing", None),
    "losses": ("ganzoo.losses", None),
    "metrics": ("ganzoo.metrics", None),
    "penalties": ("ganzoo.penalties", None),
    "stabilizers": ("ganzoo.stabilizers", None),
    "BigGAN": ("ganzoo.families.biggan.gan", "BigGAN"),
    "ConditionalGAN": ("ganzoo.families.conditional.gan", "ConditionalGAN"),
    "Config": ("ganzoo.config", "Config"),
    "apply_overrides": ("ganzoo.config", "apply_overrides"),
    "base_config": ("ganzoo.config", "base_config"),
    "CycleGAN": ("ganzoo.families.cyclegan.gan", "CycleGAN"),
    "CheckpointError": ("ganzoo.errors", "CheckpointError"),
    "ConfigError": ("ganzoo.errors", "ConfigError"),
    "DataError": ("ganzoo.errors", "DataError"),
    "EvalError": ("ganzoo.errors", "EvalError"),
    "GanzooError": ("ganzoo.errors", "GanzooError"),
    "TrainingError": ("ganzoo.errors", "TrainingError"),
    "WorkdirError": ("ganzoo.errors", "WorkdirError"),
    "get_experiment": ("ganzoo.experiment", "get_experiment"),
    "list_experiments": ("ganzoo.experiment", "list_experiments"),
    "register_experiment": ("ganzoo.experiment", "register_experiment"),
    "validate": ("ganzoo.experiment", "validate"),
    "FAMILIES": ("ganzoo.family", "FAMILIES"),
    "Family": ("ganzoo.family", "Family"),
    "family_of": ("ganzoo.family", "family_of"),
    "register_family": ("ganzoo.family", "register_family"),
    "GAN": ("ganzoo.gan", "GAN"),
    "InfoGAN": ("ganzoo.families.infogan.gan", "InfoGAN"),
    "LOSSES": ("ganzoo.losses", "LOSSES"),
    "LossPair": ("ganzoo.losses", "LossPair"),
    "MODELS": ("ganzoo.models", "MODELS"),
    "register_model": ("ganzoo.models", "register_model"),
    "Pix2Pix": ("ganzoo.families.image_to_image.gan", "Pix2Pix"),
    "build_dataset": ("ganzoo.train_lib", "build_dataset"),
    "build_gan": ("ganzoo.train_lib", "build_gan"),
    "export": ("ganzoo.train_lib", "export"),
    "load_run": ("ganzoo.train_lib", "load_run"),
    "sample": ("ganzoo.train_lib", "sample"),
    "train": ("ganzoo.train_lib", "train"),
    "VideoGAN": ("ganzoo.families.video.gan", "VideoGAN"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ganzoo' has no attribute {name!r}")
    module_name, attribute = _EXPORTS[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, eagerly
    from ganzoo import augment, editing, losses, metrics, penalties, stabilizers  # noqa: F401
    from ganzoo.config import Config, apply_overrides, base_config  # noqa: F401
    from ganzoo.errors import (  # noqa: F401
        CheckpointError,
        ConfigError,
        DataError,
        EvalError,
        GanzooError,
        TrainingError,
        WorkdirError,
    )
    from ganzoo.experiment import (  # noqa: F401
        get_experiment,
        list_experiments,
        register_experiment,
        validate,
    )
    from ganzoo.families.biggan.gan import BigGAN  # noqa: F401
    from ganzoo.families.conditional.gan import ConditionalGAN  # noqa: F401
    from ganzoo.families.cyclegan.gan import CycleGAN  # noqa: F401
    from ganzoo.families.image_to_image.gan import Pix2Pix  # noqa: F401
    from ganzoo.families.infogan.gan import InfoGAN  # noqa: F401
    from ganzoo.families.video.gan import VideoGAN  # noqa: F401
    from ganzoo.family import FAMILIES, Family, family_of, register_family  # noqa: F401
    from ganzoo.gan import GAN  # noqa: F401
    from ganzoo.losses import LOSSES, LossPair  # noqa: F401
    from ganzoo.models import MODELS, register_model  # noqa: F401
    from ganzoo.train_lib import build_dataset, build_gan, export, load_run, sample, train  # noqa: F401
