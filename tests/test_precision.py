"""`train.precision`: mixed_float16 / mixed_bfloat16 build under the policy (restored after),
keep D's logits and the losses in float32, wrap float16's optimizers for loss scaling, and train
a few steps without NaNs."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from ganzoo import train_lib
from ganzoo.config import apply_overrides, base_config
from ganzoo.errors import ConfigError
from ganzoo.experiment import validate
from ganzoo.training import precision


def config(precision_name, **overrides):
    c = base_config()
    c.data.update(source="synthetic", name="ring8", synthetic_size=1024, shuffle_buffer=1024)
    c.model.update(arch="mlp", latent_dim=4, width=16, depth=2)
    c.train.update(steps=2, batch_size=32, precision=precision_name)
    return validate(apply_overrides(c, overrides))


def dcgan_config(precision_name):
    from ganzoo.experiment import get_experiment

    overrides = {"model.latent_dim": 8, "model.width": 8, "train.batch_size": 16}
    return get_experiment("mnist_dcgan", {**overrides, "train.precision": precision_name})


@pytest.mark.parametrize("name", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_dcgan_trains_without_nans(name):
    gan = train_lib.build_gan(dcgan_config(name))
    assert keras.mixed_precision.global_policy().name == "float32"  # restored after building
    compute = "float16" if name == "mixed_float16" else "bfloat16"
    assert gan.discriminator.get_layer("down1").compute_dtype == compute
    assert gan.discriminator.get_layer("down1").kernel.dtype == "float32"
    assert gan.discriminator.output.dtype == "float32"  # logits (and losses) in float32
    assert gan.generator.output.dtype == "float32"
    wrapped = isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert wrapped == (name == "mixed_float16")
    assert wrapped == isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
    real = np.random.default_rng(0).uniform(-1, 1, (5, 16, 28, 28, 1)).astype("float32")
    history = gan.fit(real.reshape(-1, 28, 28, 1), batch_size=16, epochs=1, verbose=0)
    for key, values in history.history.items():
        assert np.all(np.isfinite(values)), key
    for w in gan.generator.get_weights() + gan.discriminator.get_weights():
        assert np.all(np.isfinite(w))
    assert np.all(np.isfinite(gan.generate(4)))


@pytest.mark.parametrize("name", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_mlp_trains_through_train_lib(tmp_path, name):
    gan = train_lib.train(config(name), str(tmp_path / name))
    assert int(gan.g_optimizer.iterations.numpy()) == 2
    assert np.all(np.isfinite(gan.generate(8)))


def test_float32_is_unchanged():
    gan = train_lib.build_gan(config("float32"))
    assert gan.discriminator.layers[-1].compute_dtype == "float32"
    assert not isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)


def test_unknown_precision_is_refused():
    with pytest.raises(ConfigError, match="Expected one of float32, mixed_float16"):
        precision.set_policy("float8")
