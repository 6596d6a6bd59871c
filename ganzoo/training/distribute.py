"""`train.strategy` -> a tf.distribute strategy (one per process), under whose scope build_gan
builds the models and optimizers; which process of a multi-worker cluster is the chief (the one
that writes the workdir). Launch recipes: docs/performance.md."""

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


def _task(strategy) -> tuple[str | None, int, dict]:
    """(task type, task id, cluster as a dict of job -> addresses) of this process; the type is
    None for a strategy without a cluster (one process)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not getattr(resolver, "task_type", None):
        return None, 0, {}
    cluster = resolver.cluster_spec()
    jobs = cluster.as_dict() if hasattr(cluster, "as_dict") else dict(cluster)
    return resolver.task_type, int(resolver.task_id or 0), jobs


def is_chief_task(task_type: str | None, task_id: int, jobs) -> bool:
    """The chief writes the run: the `chief` task, else `worker` 0 when the cluster has no
    chief job, else (no cluster: one process) this process. Evaluators and others never are."""
    if task_type is None:
        return True
    if task_type == "chief":
        return True
    return task_type == "worker" and task_id == 0 and "chief" not in jobs


def is_chief(strategy) -> bool:
    """Whether this process writes the workdir: always, unless `strategy` spans a cluster
    (MultiWorkerMirroredStrategy with $TF_CONFIG) and this process is not its chief."""
    return is_chief_task(*_task(strategy))


def worker_tag(strategy) -> str:
    """How this process names itself in the run log: "" alone, "chief", or "worker 1" ..."""
    task_type, task_id, jobs = _task(strategy)
    if task_type is None or num_workers(strategy) <= 1:
        return ""
    return "chief" if is_chief_task(task_type, task_id, jobs) else f"{task_type} {task_id}"


def num_workers(strategy) -> int:
    """Processes that train together: the chief and worker tasks of the cluster (1 without)."""
    task_type, _, jobs = _task(strategy)
    if task_type is None:
        return 1
    return max(1, sum(len(jobs.get(job, ())) for job in ("chief", "worker")))


def is_multi_worker(strategy=None) -> bool:
    """Whether `strategy` (default: the current one) trains across several processes."""
    strategy = strategy or tf.distribute.get_strategy()
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and (
        num_workers(strategy) > 1
    )


def shard_by_data(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """`dataset` with DATA auto-sharding: every worker reads the same (seeded) pipeline and
    keeps its share of each global batch, so a batch index means the same examples on all of
    them (resume skips by batch index). The AUTO default would try FILE sharding first."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def chief_says(strategy, flag: bool) -> bool:
    """The chief's `flag`, on every worker. A collective under a multi-worker strategy: every
    worker must call it at the same point (the others pass anything)."""
    if not is_multi_worker(strategy):
        return bool(flag)
    mine = tf.constant(1.0 if flag and is_chief(strategy) else 0.0)
    total = strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(lambda: mine), axis=None)
    return bool(total.numpy() > 0)
