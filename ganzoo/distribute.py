"""`train.strategy` -> a tf.distribute strategy (one per process), under whose scope build_gan
builds the models and optimizers. Launch recipes: docs/performance.md."""

from __future__ import annotations

import tensorflow as tf

from ganzoo.config import STRATEGIES
from ganzoo.errors import ConfigError

_CACHE: dict[tuple[str, str], tf.distribute.Strategy] = {}


def get_strategy(name: str = "default", tpu: str = "") -> tf.distribute.Strategy:
    """The strategy for `train.strategy`, created once per process (a multi-worker or TPU
    strategy may only be created once: it connects to the cluster).

    - default: the current strategy (one device; or the one whose scope the caller entered)
    - mirrored: `MirroredStrategy` over every local GPU (the CPU when there is none)
    - multi_worker: `MultiWorkerMirroredStrategy`; the cluster comes from $TF_CONFIG
    - tpu: `TPUStrategy` on the TPU `tpu` names ("" = the local or environment's TPU)
    """
    if name not in STRATEGIES:
        raise ConfigError(
            f"Received: train.strategy={name!r}. Expected one of {', '.join(STRATEGIES)}."
        )
    if name == "default":
        return tf.distribute.get_strategy()
    key = (name, tpu)
    if key not in _CACHE:
        _CACHE[key] = _create(name, tpu)
    return _CACHE[key]


def _create(name: str, tpu: str) -> tf.distribute.Strategy:
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu or None)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, tf.errors.NotFoundError) as e:
        raise ConfigError(
            f"Received: train.strategy='tpu' with train.tpu={tpu!r}, but no TPU was found "
            f"({e}). Expected a Cloud TPU VM, or train.tpu naming a reachable TPU."
        ) from None
    return tf.distribute.TPUStrategy(resolver)


def global_batch_note(strategy: tf.distribute.Strategy, global_batch: int) -> str:
    """A line for the run log: how the global batch is split."""
    n = strategy.num_replicas_in_sync
    if global_batch % n:
        raise ConfigError(
            f"Received: train.batch_size={global_batch} with {n} replicas. Expected a "
            "multiple of the number of replicas (each replica gets batch_size / replicas)."
        )
    return f"{type(strategy).__name__}: {n} replica(s), {global_batch // n} examples each"
