"""Training data: TFDS, raw IDX files, an image folder or a synthetic 2-D benchmark -> tf.data."""

from ganzoo.data.idx import find_idx_dir, load_idx_split, read_idx, write_idx
from ganzoo.data.image_folder import find_images, load_image_folder
from ganzoo.data.pipeline import SOURCES, build_dataset, example_shape
from ganzoo.data.synthetic import SYNTHETIC_NAMES, mode_centers, mode_std, sample_synthetic
from ganzoo.data.tfds import load_tfds, network_reachable

__all__ = [
    "SOURCES",
    "SYNTHETIC_NAMES",
    "build_dataset",
    "example_shape",
    "find_idx_dir",
    "find_images",
    "load_idx_split",
    "load_image_folder",
    "load_tfds",
    "mode_centers",
    "mode_std",
    "network_reachable",
    "read_idx",
    "sample_synthetic",
    "write_idx",
]
