"""The on-disk data the input-pipeline benchmark reads: IDX files, a folder of PNG and JPEG
images, and a TFDS dataset prepared into a local data_dir, all written from the same
28x28 grayscale images (Debian's Fashion-MNIST when installed, else deterministic noise), so
every source decodes the same kind of picture."""

from __future__ import annotations

import os

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from ganzoo.data import idx

TFDS_NAME = "ganzoo_bench_images"  # the builder below, by TFDS's snake-case naming


def source_images(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n uint8 images [n, 28, 28] and int labels: Fashion-MNIST's first n training images when
    Debian's files are installed, else uniform noise (which compresses worse than garments)."""
    directory = idx.find_idx_dir("fashion_mnist", "train")
    if directory:
        images, labels = idx.load_idx_split(directory, "train")
        if len(images) >= n:
            return images[:n], labels[:n].astype(np.int64)
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), np.uint8), rng.integers(0, 10, n)


def write_idx_dir(directory: str, n: int) -> str:
    """The four gzip IDX files of a `train` and a `test` split (n images each) in `directory`."""
    images, labels = source_images(n)
    os.makedirs(directory, exist_ok=True)
    for prefix in ("train", "t10k"):
        idx.write_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"), images)
        idx.write_idx(
            os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"), labels.astype(np.uint8)
        )
    return directory


def write_image_folder(directory: str, n: int) -> str:
    """n images as files: even indices PNG, odd ones JPEG (quality 90), in 10 class subfolders."""
    images, labels = source_images(n)
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        sub = os.path.join(directory, f"class{int(label)}")
        os.makedirs(sub, exist_ok=True)
        pixels = tf.constant(image[..., None])
        if i % 2:
            data, ext = tf.io.encode_jpeg(pixels, quality=90), "jpg"
        else:
            data, ext = tf.io.encode_png(pixels), "png"
        tf.io.write_file(os.path.join(sub, f"{i:06d}.{ext}"), data)
    return directory


class GanzooBenchImages(tfds.core.GeneratorBasedBuilder):
    """28x28x1 images with labels, from `source_images`; TFDS stores them PNG-encoded in
    TFRecord shards, as it does Fashion-MNIST, so reading decodes PNGs."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "ganzoo benchmark data."}

    def __init__(self, *, num_examples: int = 1000, **kwargs):
        self.num_examples = int(num_examples)
        super().__init__(**kwargs)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Image(shape=(28, 28, 1)),
                    "label": tfds.features.ClassLabel(num_classes=10),
                }
            ),
            supervised_keys=("image", "label"),
        )

    def _split_generators(self, dl_manager):
        return {"train": self._generate_examples()}

    def _generate_examples(self):
        images, labels = source_images(self.num_examples)
        for i, (image, label) in enumerate(zip(images, labels, strict=True)):
            yield i, {"image": image[..., None], "label": int(label)}


def prepare_tfds(data_dir: str, n: int) -> str:
    """Prepares `GanzooBenchImages` with n examples in `data_dir` (offline: no download);
    ganzoo then reads it as `data.source=tfds data.name=ganzoo_bench_images`."""
    builder = GanzooBenchImages(data_dir=data_dir, num_examples=n)
    builder.download_and_prepare()
    return data_dir
