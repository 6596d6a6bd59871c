"""The benchmark's model table: which ganzoo experiment each benchmark model comes from, and how
the reference implementations build the same networks. Add a model here and nowhere else."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any


def _dcgan_keras_nets(config):
    """ganzoo's own DCGAN builders, so the references train exactly ganzoo's networks."""
    from ganzoo.models import dcgan

    m = config.model
    g = dcgan.generator(m.latent_dim, m.resolution, m.channels, m.width)
    d = dcgan.discriminator(m.resolution, m.channels, m.width)
    return g, d


def _resnet_keras_nets(config):
    """ganzoo's own ResNet builders (spectral-norm D), as `ganzoo.models.resnet.build` calls
    them for a config without attention or minibatch stddev."""
    from ganzoo.models import resnet

    m = config.model
    g = resnet.generator(m.latent_dim, m.resolution, m.channels, m.width)
    d = resnet.discriminator(m.resolution, m.channels, m.width, spectral_norm=m.spectral_norm)
    return g, d


@dataclasses.dataclass(frozen=True)
class BenchModel:
    """One row group of the results: a ganzoo experiment at a fixed batch size.

    `keras_nets(config) -> (generator, discriminator)` feeds the keras-io-style references;
    `torch_nets` names the builder in `benchmarks.torch_reference`. None = no such reference
    yet (that impl is skipped with a message). `step` is the reference update both use:
    "keras_io" (keras-io's DCGAN step, cross-entropy) or "sngan" (hinge loss, the config's
    `model.d_steps` D updates per G update).
    """

    name: str
    experiment: str
    arch: str  # the ganzoo model family it needs (ganzoo.models.MODELS)
    batch: int
    description: str
    keras_nets: Callable[[Any], tuple[Any, Any]] | None = None
    torch_nets: str | None = None
    step: str = "keras_io"


MODELS: dict[str, BenchModel] = {
    m.name: m
    for m in (
        BenchModel(
            "dcgan28",
            "mnist_dcgan",
            "dcgan",
            64,
            "DCGAN 28x28x1 (mnist_dcgan)",
            keras_nets=_dcgan_keras_nets,
            torch_nets="dcgan",
        ),
        # Its config trains 5 hinge-loss D updates per G update: the references do the same.
        BenchModel(
            "resnet32",
            "cifar10_sngan_resnet",
            "resnet",
            64,
            "SNGAN ResNet 32x32x3 (cifar10_sngan_resnet; a step is 5 D updates + 1 G update)",
            keras_nets=_resnet_keras_nets,
            torch_nets="resnet",
            step="sngan",
        ),
    )
}


def get(name: str) -> BenchModel:
    if name not in MODELS:
        raise ValueError(f"Received: model={name!r}. Expected one of {sorted(MODELS)}.")
    return MODELS[name]


def unavailable_reason(model: BenchModel) -> str | None:
    """Why ganzoo cannot build `model` here, or None when it can."""
    from ganzoo.experiment import list_experiments
    from ganzoo.models import MODELS as FAMILIES

    if model.experiment not in list_experiments():
        return f"experiment {model.experiment!r} is not registered in ganzoo"
    if model.arch not in FAMILIES.names():
        return f"model family {model.arch!r} is not registered in ganzoo.models"
    return None


def config_for(model: BenchModel, batch: int | None = None, overrides: Mapping | None = None):
    """The experiment's config with the benchmark's batch size (and test-size overrides)."""
    from ganzoo.experiment import get_experiment

    values = {"train.batch_size": batch or model.batch, **(overrides or {})}
    return get_experiment(model.experiment, values)
