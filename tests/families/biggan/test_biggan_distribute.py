"""MirroredStrategy over 2 logical CPUs: one training step of imagenet32_biggan (tiny width, all
1000 classes, mock TFDS data) through train_lib.train with train.strategy=mirrored, and the
sharded reader's distribute_datasets_from_function path (each record once per epoch across
the replicas, per-replica batches). Logical devices need a fresh process (see tests/test_distribute.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import numpy as np
    import tensorflow_datasets as tfds
    import ganzoo
    from ganzoo import train_lib
    from ganzoo.training import distribute
    from ganzoo.data import sharded
    from ganzoo.experiment import smoke_overrides

    workdir = sys.argv[1]
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    distribute._CACHE[("mirrored", "")] = strategy  # train.strategy=mirrored -> these 2 CPUs
    overrides = {
        **smoke_overrides("imagenet32_biggan"),
        "train.strategy": "mirrored", "train.steps": 1, "train.batch_size": 4,
        "train.log_every": 1, "train.sample_every": 1, "train.checkpoint_every": 1,
        "sample.num": 4, "data.shuffle_buffer": 1, "health.diversity_samples": 4,
    }
    config = ganzoo.get_experiment("imagenet32_biggan", overrides)
    with tfds.testing.mock_data(num_examples=8):
        gan = train_lib.train(config, os.path.join(workdir, "run"))
    mirrored = gan.discriminator.trainable_variables[0].value  # a MirroredVariable
    out = dict(replicas=strategy.num_replicas_in_sync, d_steps=gan.d_steps,
               steps=int(gan.g_optimizer.iterations.value.numpy()),
               d_var_replicas=len(mirrored.values),
               d_loss=float(gan.d_loss_tracker.result().numpy()))

    # The explicit input path: shards -> distribute_datasets_from_function -> per replica.
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (16, 32, 32, 3), dtype=np.uint8)
    sharded.write_shards(os.path.join(workdir, "shards"), images, np.arange(16), 4)
    config = ganzoo.get_experiment("imagenet32_biggan", {
        **overrides, "data.source": "tfrecord", "data.dir": os.path.join(workdir, "shards")})
    dist = sharded.distributed_dataset(config, strategy)
    iterator = iter(dist)
    per_replica = [[], []]
    for _ in range(4):  # 16 records / (2 replicas x 2 each) = one epoch
        x, y = next(iterator)
        for r, labels in enumerate(strategy.experimental_local_results(y)):
            per_replica[r].extend(int(v) for v in labels.numpy())
        shapes = [tuple(t.shape) for t in strategy.experimental_local_results(x)]
    out.update(per_replica=per_replica, shapes=shapes)
    print("RESULT " + json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("mirrored_biggan"))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, workdir],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=ROOT,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT ") :])


def test_one_mirrored_step_of_imagenet32_biggan(result):
    assert result["replicas"] == 2 and result["d_var_replicas"] == 2
    assert result["steps"] == 1 and result["d_steps"] == 1  # the smoke test's step
    assert result["d_loss"] == result["d_loss"]  # finite (NaN != NaN)


def test_replicas_read_disjoint_records_covering_the_epoch(result):
    a, b = result["per_replica"]
    assert len(a) == len(b) == 8 and not set(a) & set(b)
    assert sorted(a + b) == list(range(16))
    assert result["shapes"] == [[2, 32, 32, 3], [2, 32, 32, 3]]
