"""The implementations the harness times, each prepared into a ready-to-call step. One table."""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks import flops as flops_lib
from benchmarks import memory


class Unavailable(Exception):
    """An implementation that cannot run here (missing package or reference); the message says
    why, and the harness reports it as skipped."""


@dataclasses.dataclass
class Prepared:
    step: Callable[[], Any]  # one training step on the benchmark batch
    sync: Callable[[Any], None]  # waits until the step's result is computed
    flops: int | None  # per step
    matmul_conv_flops: int | None  # the part in matrix multiplications and convolutions
    flop_source: str
    xla: bool
    notes: list[str]
    gpu_peak_mib: Callable[[], float | None] = memory.tf_gpu_peak_mib


def _keras_prepared(gan, images: np.ndarray, xla: bool, notes: list[str]) -> Prepared:
    """Drives a Keras GAN the way `fit` does: its train_function on a tf.data iterator."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensors(tf.constant(images)).repeat()
    iterator = iter(dataset)
    gan.make_train_function()
    train_function = gan.train_function
    spec = tf.TensorSpec(images.shape, tf.float32)
    graph = tf.function(gan.train_step).get_concrete_function(spec).graph
    count = flops_lib.graph_flops(graph)
    unpruned = flops_lib.graph_flops(graph, prune=False).total
    notes.append(
        f"all ops of the graph, as tf.compat.v1.profiler counts: {unpruned / 1e9:.4f} GFLOP"
    )
    if count.uncounted_calls or count.unknown_shape_ops:
        notes.append(
            f"FLOP count misses {count.uncounted_calls} nested calls and "
            f"{count.unknown_shape_ops} ops of unknown shape"
        )

    def sync(logs):
        next(iter(logs.values())).numpy()

    return Prepared(
        lambda: train_function(iterator),
        sync,
        count.total,
        count.matmul_conv,
        "TF graph (live ops)",
        xla,
        notes,
    )


def ganzoo_impl(model, config, images: np.ndarray, settings=None) -> Prepared:
    """ganzoo's GAN exactly as `ganzoo.run` builds it (`build_gan`, jit_compile from config)."""
    from ganzoo.train_lib import build_gan

    gan = build_gan(config)
    notes = [f"jit_compile={config.train.jit_compile!r} -> {gan.jit_compile}"]
    return _keras_prepared(gan, images, bool(gan.jit_compile), notes)


def _keras_ref(model, config, images: np.ndarray, jit_compile: bool) -> Prepared:
    import keras

    from benchmarks import keras_reference

    if model.keras_nets is None:
        raise Unavailable(f"no Keras reference networks for {model.name} in benchmarks/models.py")
    keras.utils.set_random_seed(config.seed)
    g, d = model.keras_nets(config)
    gan = keras_reference.build(
        g,
        d,
        config.model.latent_dim,
        config.optimizer,
        jit_compile,
        step=model.step,
        d_steps=config.model.d_steps,
    )
    return _keras_prepared(gan, images, jit_compile, [])


def keras_ref_impl(model, config, images, settings=None):
    """keras-io-style GAN, plain tf.function (no XLA)."""
    return _keras_ref(model, config, images, jit_compile=False)


def keras_ref_xla_impl(model, config, images, settings=None):
    """The same keras-io-style GAN compiled with jit_compile=True (XLA)."""
    return _keras_ref(model, config, images, jit_compile=True)


def torch_impl(model, config, images: np.ndarray, settings=None) -> Prepared:
    """The same networks and step in eager PyTorch (CUDA when available)."""
    if importlib.util.find_spec("torch") is None:
        raise Unavailable("PyTorch is not installed (pip install torch); torch reference skipped")
    if model.torch_nets is None:
        raise Unavailable(f"no PyTorch reference for {model.name} in benchmarks/torch_reference.py")
    import torch

    from benchmarks import torch_reference

    if settings is not None and settings.torch_threads:
        torch.set_num_threads(settings.torch_threads)
    torch.manual_seed(config.seed)
    g, d = torch_reference.BUILDERS[model.torch_nets](config)
    notes = [_check_param_counts(model, config, g, d)]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    gan = torch_reference.build_step(model.step, g, d, config, device)
    real = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).to(device)
    count = torch_reference.step_flops(gan, real)
    notes.append(f"device {device}, {torch.get_num_threads()} intra-op threads")

    def sync(losses):
        if device == "cuda":
            torch.cuda.synchronize()
        losses[1].item()

    return Prepared(
        lambda: gan.train_step(real),
        sync,
        count,
        count,
        "torch FlopCounterMode (matmul+conv only)",
        False,
        notes,
        memory.torch_gpu_peak_mib,
    )


def _check_param_counts(model, config, g, d) -> str:
    from benchmarks import torch_reference

    keras_g, keras_d = model.keras_nets(config)
    parts = []
    for name, keras_net, torch_net in (("G", keras_g, g), ("D", keras_d, d)):
        keras_counts = (
            sum(int(np.prod(w.shape)) for w in keras_net.trainable_weights),
            sum(int(np.prod(w.shape)) for w in keras_net.non_trainable_weights),
        )
        torch_counts = torch_reference.param_counts(torch_net)
        if keras_counts != torch_counts:
            raise ValueError(
                f"{name}: torch has {torch_counts} (trainable, non-trainable) parameters, "
                f"Keras {keras_counts}: the torch reference is not the same network."
            )
        parts.append(f"{name} {keras_counts[0]:,} (+{keras_counts[1]:,} non-trainable)")
    return "parameters equal Keras's: " + ", ".join(parts)


IMPLS: dict[str, Callable[..., Prepared]] = {
    "ganzoo": ganzoo_impl,
    "keras_ref": keras_ref_impl,
    "keras_ref_xla": keras_ref_xla_impl,
    "torch": torch_impl,
}
