"""tf.distribute: one MirroredStrategy step over 2 logical CPUs equals the single-device step on
the same global batch; replicas draw different z; `train.strategy` resolves; which process of a
cluster is the chief. (A real 2-worker run: tests/test_multi_worker.py.)

Logical devices must be configured before TensorFlow initialises its devices, so the mirrored
checks run in a fresh subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types

import pytest

from ganzoo.errors import ConfigError
from ganzoo.training import distribute

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The fakes must be identical in both runs: z is a fixed function of each real example (the
# first latent_dim features of it), so a replica's half of the batch gets the same z as the
# same examples get in the single-device step. SGD, not Adam: Adam's first step is about
# lr * sign(g) and would hide a gradient off by the replica count. No batch norm anywhere:
# per-replica batch statistics would differ from the global batch's.
SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    import numpy as np
    from ganzoo.gan import GAN

    LATENT, FEATURES, BATCH = 3, 5, 8

    import threading
    local = threading.local()  # MirroredStrategy traces each replica in its own thread

    class FixedZGAN(GAN):
        def train_step(self, data):
            local.real = data
            return super().train_step(data)

        def sample_latent(self, batch_size):
            return local.real[:, :LATENT]

    def build(reuse):
        keras.utils.set_random_seed(0)
        g = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(8),
                              keras.layers.LeakyReLU(0.2), keras.layers.Dense(FEATURES)])
        d = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(8),
                              keras.layers.LeakyReLU(0.2), keras.layers.Dense(1)])
        gan = FixedZGAN(g, d, LATENT, seed=0, reuse_fakes=reuse)
        gan.compile(d_optimizer=keras.optimizers.SGD(0.5), g_optimizer=keras.optimizers.SGD(0.5))
        return gan

    real = np.random.default_rng(1).normal(size=(BATCH, FEATURES)).astype("float32")
    out = {}
    for reuse in (False, True):
        single = build(reuse)
        before = [w.copy() for w in single.get_weights()]
        logs_single = single.fit(real, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        with strategy.scope():
            mirrored = build(reuse)
        mirrored.set_weights(before)
        logs_mirrored = mirrored.fit(real, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        diffs = [float(np.max(np.abs(a - b)))
                 for a, b in zip(single.get_weights(), mirrored.get_weights())]
        moved = max(float(np.max(np.abs(a - b))) for a, b in zip(before, single.get_weights()))
        out[str(reuse)] = dict(
            replicas=strategy.num_replicas_in_sync, max_diff=max(diffs), moved=moved,
            d_loss=[logs_single.history["d_loss"][0], logs_mirrored.history["d_loss"][0]],
            g_loss=[logs_single.history["g_loss"][0], logs_mirrored.history["g_loss"][0]])

    # Replicas draw different z from the (mirrored) seed state.
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        gan = build(False)
    z = strategy.run(tf.function(lambda: GAN.sample_latent(gan, 4)))
    a, b = (v.numpy() for v in z.values)
    out["z_differ"] = bool(np.abs(a - b).max() > 1e-3)
    print("RESULT " + json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def mirrored_result():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, env=env
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT ") :])


@pytest.mark.parametrize("reuse", ["False", "True"])
def test_mirrored_step_equals_single_device_step(mirrored_result, reuse):
    r = mirrored_result[reuse]
    assert r["replicas"] == 2
    assert r["moved"] > 1e-3  # the step changed the weights, so equality means something
    assert r["max_diff"] < 1e-5, r
    # Logged losses are the global-batch means in both.
    assert r["d_loss"][0] == pytest.approx(r["d_loss"][1], abs=1e-5)
    assert r["g_loss"][0] == pytest.approx(r["g_loss"][1], abs=1e-5)


def test_replicas_draw_different_latents(mirrored_result):
    assert mirrored_result["z_differ"]


def test_default_strategy_is_the_current_one():
    import tensorflow as tf

    assert distribute.get_strategy("default") is tf.distribute.get_strategy()


def test_unknown_strategy_is_refused():
    with pytest.raises(ConfigError, match="Expected one of default, mirrored"):
        distribute.get_strategy("horovod")


def test_global_batch_must_split_evenly():
    import tensorflow as tf

    strategy = tf.distribute.get_strategy()
    assert "1 replica(s), 64 examples each" in distribute.global_batch_note(strategy, 64)


def _strategy_for(tf_config: dict | None, monkeypatch):
    """A stand-in for a MultiWorkerMirroredStrategy: TF's own $TF_CONFIG resolver, no cluster."""
    import tensorflow as tf

    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", json.dumps(tf_config))
    resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    return types.SimpleNamespace(cluster_resolver=resolver)


TWO_WORKERS = {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}
WITH_CHIEF = {"chief": ["127.0.0.1:1"], "worker": ["127.0.0.1:2", "127.0.0.1:3"]}


@pytest.mark.parametrize(
    "cluster, task_type, index, chief, tag",
    [
        (TWO_WORKERS, "worker", 0, True, "chief"),  # no chief job: worker 0 is the chief
        (TWO_WORKERS, "worker", 1, False, "worker 1"),
        (WITH_CHIEF, "chief", 0, True, "chief"),
        (WITH_CHIEF, "worker", 0, False, "worker 0"),  # a chief job exists: worker 0 is not it
        (WITH_CHIEF, "worker", 1, False, "worker 1"),
        ({**WITH_CHIEF, "evaluator": ["127.0.0.1:4"]}, "evaluator", 0, False, "evaluator 0"),
    ],
)
def test_chief_from_tf_config(monkeypatch, cluster, task_type, index, chief, tag):
    config = {"cluster": cluster, "task": {"type": task_type, "index": index}}
    strategy = _strategy_for(config, monkeypatch)
    assert distribute.is_chief(strategy) is chief
    assert distribute.worker_tag(strategy) == tag
    assert distribute.num_workers(strategy) == len(cluster.get("chief", [])) + len(
        cluster["worker"]
    )


def test_no_tf_config_is_one_process_and_the_chief(monkeypatch):
    strategy = _strategy_for(None, monkeypatch)
    assert distribute.is_chief(strategy)
    assert distribute.num_workers(strategy) == 1 and distribute.worker_tag(strategy) == ""


def test_a_strategy_without_a_cluster_is_always_the_chief():
    import tensorflow as tf

    default = tf.distribute.get_strategy()
    assert default.cluster_resolver is None
    assert distribute.is_chief(default) and distribute.worker_tag(default) == ""
    assert not distribute.is_multi_worker(default)
    assert distribute.is_chief(types.SimpleNamespace())  # no cluster_resolver attribute at all


def test_chief_rule_on_plain_values():
    assert distribute.is_chief_task(None, 0, {})
    assert distribute.is_chief_task("worker", 0, {"worker": ["a", "b"]})
    assert not distribute.is_chief_task("worker", 0, {"chief": ["c"], "worker": ["a"]})
    assert not distribute.is_chief_task("ps", 0, {"worker": ["a"], "ps": ["p"]})


def test_chief_says_passes_the_flag_through_without_a_cluster():
    import tensorflow as tf

    strategy = tf.distribute.get_strategy()
    assert distribute.chief_says(strategy, True) is True
    assert distribute.chief_says(strategy, False) is False
