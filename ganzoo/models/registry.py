"""The model-family registry. A family is a `check` (config -> error or None) and a `build`."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import keras

from ganzoo.registry import Registry


class ModelSpec(NamedTuple):
    # Raises ConfigError for a model config this family cannot build; cheap, builds nothing.
    check: Callable[[object], None]
    # (model_config, example_shape) -> (generator, discriminator), both built.
    build: Callable[[object, tuple], tuple[keras.Model, keras.Model]]


MODELS: Registry[ModelSpec] = Registry("model architecture")


def register_model(name: str, check, build) -> ModelSpec:
    """One registration line per family: `register_model("dcgan", check, build)`."""
    spec = ModelSpec(check, build)
    MODELS.register(name)(spec)
    return spec


def check_model_config(model_config) -> None:
    MODELS.get(model_config.arch).check(model_config)


def build_models(
    model_config, example_shape, discriminator_shape=None
) -> tuple[keras.Model, keras.Model]:
    """(G, D) of `model_config` for examples of `example_shape`; D for inputs of
    `discriminator_shape` instead when given (PacGAN's packed examples)."""
    spec = MODELS.get(model_config.arch)
    spec.check(model_config)
    generator, discriminator = spec.build(model_config, tuple(example_shape))
    if discriminator_shape is not None and tuple(discriminator_shape) != tuple(example_shape):
        _, discriminator = spec.build(model_config, tuple(discriminator_shape))
    return generator, discriminator
