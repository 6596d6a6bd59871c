"""ganzoo: a tested GAN model zoo for TensorFlow 2 / Keras 3."""

from ganzoo import augment, losses, metrics, penalties, stabilizers
from ganzoo.biggan import BigGAN
from ganzoo.conditional import ConditionalGAN
from ganzoo.config import Config, apply_overrides, base_config
from ganzoo.errors import (
    CheckpointError,
    ConfigError,
    DataError,
    EvalError,
    GanzooError,
    TrainingError,
    WorkdirError,
)
from ganzoo.experiment import get_experiment, list_experiments, register_experiment
from ganzoo.gan import GAN
from ganzoo.infogan import InfoGAN
from ganzoo.losses import LOSSES, LossPair
from ganzoo.models import MODELS, register_model
from ganzoo.train_lib import build_dataset, build_gan, export, load_run, sample, train

__version__ = "0.1.0"

__all__ = [
    "GAN",
    "LOSSES",
    "MODELS",
    "BigGAN",
    "CheckpointError",
    "ConditionalGAN",
    "Config",
    "ConfigError",
    "DataError",
    "EvalError",
    "GanzooError",
    "InfoGAN",
    "LossPair",
    "TrainingError",
    "WorkdirError",
    "apply_overrides",
    "augment",
    "base_config",
    "build_dataset",
    "build_gan",
    "export",
    "get_experiment",
    "list_experiments",
    "load_run",
    "losses",
    "metrics",
    "penalties",
    "register_experiment",
    "register_model",
    "sample",
    "stabilizers",
    "train",
]
