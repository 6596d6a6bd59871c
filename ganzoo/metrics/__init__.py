"""Evaluation metrics: TF-GAN's FID and IS maths, KID, precision/recall, density/coverage, modes,
class coverage and nearest training images."""

from ganzoo.metrics.class_coverage import class_coverage
from ganzoo.metrics.fid import FeatureStats, frechet_distance, frechet_distance_from_stats
from ganzoo.metrics.inception import INCEPTION_PATH_ENV, INCEPTION_TFHUB, InceptionExtractor
from ganzoo.metrics.inception_score import inception_score
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.memorisation import nearest_neighbours
from ganzoo.metrics.modes import mode_metrics
from ganzoo.metrics.prdc import density_coverage, precision_recall
from ganzoo.metrics.tfgan_compat import load_tfgan_eval

__all__ = [
    "INCEPTION_PATH_ENV",
    "INCEPTION_TFHUB",
    "FeatureStats",
    "InceptionExtractor",
    "class_coverage",
    "density_coverage",
    "frechet_distance",
    "frechet_distance_from_stats",
    "inception_score",
    "kernel_inception_distance",
    "load_tfgan_eval",
    "mode_metrics",
    "nearest_neighbours",
    "precision_recall",
]
