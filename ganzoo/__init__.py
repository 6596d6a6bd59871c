"""ganzoo: a tested GAN model zoo for TensorFlow 2 / Keras 3."""

from ganzoo import augment, editing, losses, metrics, penalties, stabilizers
from ganzoo.biggan import BigGAN
from ganzoo.conditional import ConditionalGAN
from ganzoo.config import Config, apply_overrides, base_config
from ganzoo.cyclegan import CycleGAN
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
from ganzoo.pix2pix import Pix2Pix
from ganzoo.train_lib import build_dataset, build_gan, export, load_run, sample, train
from ganzoo.video_gan import VideoGAN

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
    "CycleGAN",
    "DataError",
    "EvalError",
    "GanzooError",
    "InfoGAN",
    "LossPair",
    "Pix2Pix",
    "TrainingError",
    "VideoGAN",
    "WorkdirError",
    "apply_overrides",
    "augment",
    "base_config",
    "build_dataset",
    "build_gan",
    "editing",
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
