"""Two unpaired image domains for CycleGAN: two classes of one labelled dataset (e.g.
Fashion-MNIST sneaker = 7, ankle boot = 9) or two image folders, as (a, b) batch pairs."""

from __future__ import annotations

import os

import numpy as np
import tensorflow as tf

from ganzoo.config import Config
from ganzoo.data.image_folder import load_image_folder
from ganzoo.data.pipeline import SOURCES
from ganzoo.data.transforms import to_model_image
from ganzoo.errors import ConfigError, DataError

DOMAINS = ("a", "b")


def uses_folders(config: Config) -> bool:
    return bool(config.cyclegan.domain_a_dir or config.cyclegan.domain_b_dir)


def domain_dir(config: Config, domain: str) -> str:
    """cyclegan.domain_<domain>_dir, relative to data.dir when that is set."""
    folder = config.cyclegan[f"domain_{domain}_dir"]
    return os.path.join(config.data.dir, folder) if folder and config.data.dir else folder


def describe_domain(config: Config, domain: str) -> str:
    cg = config.cyclegan
    if uses_folders(config):
        return f"folder {domain_dir(config, domain)}"
    return f"{config.data.name} class {cg[f'domain_{domain}_label']}"


def _raw_domain(config: Config, domain: str, split: str) -> tf.data.Dataset:
    """Unbatched raw images (as stored) of one domain."""
    if domain not in DOMAINS:
        raise ConfigError(f"Received: domain={domain!r}. Expected 'a' or 'b'.")
    cg = config.cyclegan
    if uses_folders(config):
        folder = domain_dir(config, domain)
        if not folder:
            raise ConfigError(
                f"Received: cyclegan.domain_{domain}_dir=''. Expected both folders when one is "
                "set: --set cyclegan.domain_a_dir=DIR_A --set cyclegan.domain_b_dir=DIR_B."
            )
        return load_image_folder(folder)
    label = int(cg[f"domain_{domain}_label"])
    data = Config(config.data.to_dict())
    data.split = split
    data.max_examples = 0  # cut per domain after the filter, not before it
    source_config = Config(config.to_dict())
    source_config.data = data
    ds = SOURCES[config.data.source](source_config, True)
    return ds.filter(lambda x, y: tf.equal(tf.cast(y, tf.int64), label)).map(lambda x, y: x)


def domain_examples(config: Config, domain: str, split: str | None = None, limit: int = 0):
    """Unbatched model-ready images ([R, R, C] float32 in [-1, 1]) of one domain, in stored
    order (no shuffle); the first `limit` when > 0. Raises DataError when the domain is empty."""
    split = split or config.data.split
    resolution, channels = config.model.resolution, config.model.channels
    ds = _raw_domain(config, domain, split)
    if limit:
        ds = ds.take(limit)
    ds = ds.map(
        lambda x: to_model_image(x, resolution, channels), num_parallel_calls=tf.data.AUTOTUNE
    )
    # An empty domain would make repeat() spin forever: fail now, naming what was looked for.
    if next(iter(ds.take(1)), None) is None:
        raise DataError(
            f"Received: an empty CycleGAN domain {domain.upper()} ({describe_domain(config, domain)}"
            f", split {split!r}). Expected at least one image: check cyclegan.domain_"
            f"{domain}_label (a class index of the data's labels) or cyclegan.domain_{domain}_dir."
        )
    return ds


def domain_arrays(config: Config, num: int, split: str | None = None) -> tuple[np.ndarray, ...]:
    """The first `num` images of each domain as numpy arrays (fewer when a domain has fewer)."""
    out = []
    for domain in DOMAINS:
        ds = domain_examples(config, domain, split, limit=num).batch(max(1, num))
        out.append(np.concatenate(list(ds.as_numpy_iterator()), axis=0))
    return tuple(out)


def build_unpaired_dataset(config: Config, repeat: bool = True) -> tf.data.Dataset:
    """Training batches (a [B, R, R, C], b [B, R, R, C]) in [-1, 1]: each domain cached,
    shuffled and repeated on its own, so a pair's two images are unrelated (unpaired data)."""
    streams = []
    for i, domain in enumerate(DOMAINS):
        ds = domain_examples(config, domain)
        if config.data.max_examples:
            ds = ds.take(config.data.max_examples)
        if config.data.cache:
            ds = ds.cache()
        if config.data.shuffle_buffer > 1:
            # Different seeds per domain: the pairing changes every epoch.
            ds = ds.shuffle(config.data.shuffle_buffer, seed=config.seed + i)
        streams.append(ds.repeat() if repeat else ds)
    ds = tf.data.Dataset.zip(tuple(streams))
    return ds.batch(config.train.batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
