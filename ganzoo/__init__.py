"""ganzoo: a tested GAN model zoo for TensorFlow 2 / Keras 3."""

from ganzoo import losses
from ganzoo.config import Config, apply_overrides, base_config
from ganzoo.errors import (
    CheckpointError,
    ConfigError,
    DataError,
    GanzooError,
    TrainingError,
    WorkdirError,
)
from ganzoo.experiment import get_experiment, list_experiments, register_experiment
from ganzoo.gan import GAN
from ganzoo.losses import LOSSES, LossPair
from ganzoo.models import MODELS, register_model
from ganzoo.train_lib import build_dataset, build_gan, export, sample, train

__version__ = "0.1.0"

__all__ = [
    "GAN",
    "LOSSES",
    "MODELS",
    "CheckpointError",
    "Config",
    "ConfigError",
    "DataError",
    "GanzooError",
    "LossPair",
    "TrainingError",
    "WorkdirError",
    "apply_overrides",
    "base_config",
    "build_dataset",
    "build_gan",
    "export",
    "get_experiment",
    "list_experiments",
    "losses",
    "register_experiment",
    "register_model",
    "sample",
    "train",
]
