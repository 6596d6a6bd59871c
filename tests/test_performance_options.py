"""Performance options of the train step: the fused real + fake D pass (the default where it is
exact) gives the logits, gradients and updates of two passes; `reuse_fakes` is the default step
with G's z equal to the last D step's; both work in the conditional and InfoGAN steps."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import train_lib
from ganzoo.config import apply_overrides, base_config
from ganzoo.errors import ConfigError
from ganzoo.experiment import validate
from ganzoo.gan import GAN, batch_dependent_layers, resolve_fused_d_pass
from ganzoo.models import dcgan

LATENT = 8


def nets(**d_kwargs):
    keras.utils.set_random_seed(0)
    g = dcgan.generator(LATENT, 28, 1, width=8)
    d = dcgan.discriminator(28, 1, width=8, **d_kwargs)
    return g, d


def make_gan(seed=0, **kwargs):
    g, d = nets()
    gan = GAN(g, d, LATENT, seed=seed, **kwargs)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    )
    return gan


def images(n=16, seed=1):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


def one_step(gan, real):
    gan.make_train_function()
    logs = gan.train_function(iter(tf.data.Dataset.from_tensors(real).repeat()))
    return {k: float(v) for k, v in logs.items()}


def test_dcgan_discriminator_is_fused_by_default():
    assert make_gan()._fuse_d
    assert not make_gan(fused_d_pass=False)._fuse_d
    assert batch_dependent_layers(nets()[1]) == []


@pytest.mark.parametrize("option", [{"minibatch_std_group": 4}, {"spectral_norm": True}])
def test_batch_dependent_discriminators_are_not_fused(option):
    _, d = nets(**option)
    assert batch_dependent_layers(d)
    assert resolve_fused_d_pass("auto", d) is False
    with pytest.raises(ConfigError, match="batch-dependent or unlisted layers"):
        resolve_fused_d_pass(True, d)


def test_batch_norm_discriminator_is_not_fused():
    d = keras.Sequential(
        [keras.Input((4,)), keras.layers.BatchNormalization(), keras.layers.Dense(1)]
    )
    assert resolve_fused_d_pass("auto", d) is False


def test_fused_pass_gives_the_logits_and_gradients_of_two_passes():
    fused, plain = make_gan(fused_d_pass=True), make_gan(fused_d_pass=False)
    real, fake = tf.constant(images(8, 1)), tf.constant(images(8, 2))
    results = []
    for gan in (fused, plain):
        with tf.GradientTape() as tape:
            real_logits, fake_logits = gan.discriminate_pair(real, fake)
            loss = gan.loss_fn(real_logits, fake_logits).d_loss
        grads = tape.gradient(loss, gan.discriminator.trainable_variables)
        results.append((real_logits, fake_logits, grads))
    (r1, f1, g1), (r2, f2, g2) = results
    np.testing.assert_allclose(r1, r2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(f1, f2, rtol=1e-5, atol=1e-6)
    for a, b in zip(g1, g2, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_fused_step_equals_the_two_pass_step():
    fused, plain = make_gan(fused_d_pass=True), make_gan(fused_d_pass=False)
    real = images(16)
    logs_fused, logs_plain = one_step(fused, real), one_step(plain, real)
    for key, value in logs_plain.items():
        assert logs_fused[key] == pytest.approx(value, rel=1e-4, abs=1e-5), key
    for a, b in zip(fused.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


class _FixedZ(GAN):
    """Every z of the step is the same fixed batch: the default step then draws the same z for
    the D and the G step, which is what reuse_fakes does by construction."""

    def sample_latent(self, batch_size):
        return tf.constant(np.random.default_rng(5).normal(size=(16, LATENT)), tf.float32)


def test_reuse_fakes_is_the_default_step_with_the_d_steps_z():
    runs = []
    for reuse in (False, True):
        g, d = nets()
        gan = _FixedZ(g, d, LATENT, seed=0, reuse_fakes=reuse)
        gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
        runs.append((one_step(gan, images(16)), gan))
    (logs_a, a), (logs_b, b) = runs
    assert logs_a["g_loss"] == pytest.approx(logs_b["g_loss"], rel=1e-5)
    # Trainable weights agree; G's batch-norm moving statistics moved twice in the default
    # step (two G forwards) and once with reuse, so they are not compared.
    for net in ("generator", "discriminator"):
        for v, w in zip(
            getattr(a, net).trainable_variables, getattr(b, net).trainable_variables, strict=True
        ):
            np.testing.assert_allclose(v.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_reuse_fakes_draws_fewer_latents():
    # Default: one z per D step and one for G; reuse: one per D step.
    for reuse, draws in ((False, 3), (True, 2)):
        gan = make_gan(reuse_fakes=reuse, d_steps=2)
        before = gan.seed_generator.state.numpy()[1]
        logs = one_step(gan, images(8))
        assert gan.seed_generator.state.numpy()[1] - before == draws
        assert all(np.isfinite(v) for v in logs.values())


def test_options_round_trip_through_get_config():
    gan = make_gan(fused_d_pass=False, reuse_fakes=True)
    config = gan.get_config()
    assert config["fused_d_pass"] is False and config["reuse_fakes"] is True
    clone = GAN.from_config(config)
    assert clone.reuse_fakes and not clone._fuse_d


def ring8_config(**overrides):
    c = base_config()
    c.data.update(source="synthetic", name="ring8", synthetic_size=1024, shuffle_buffer=1024)
    c.model.update(arch="mlp", latent_dim=4, width=16, depth=2, num_classes=8)
    c.train.update(steps=2, batch_size=32)
    return validate(apply_overrides(c, overrides))


@pytest.mark.parametrize(
    "model",
    [
        {"model.conditioning": "concat"},
        {"model.conditioning": "projection"},
        {"model.conditioning": "acgan"},
        {"model.info_categorical": "4", "model.info_continuous": 1},
    ],
)
@pytest.mark.parametrize("reuse", [False, True])
def test_conditional_and_infogan_steps_with_the_options(model, reuse):
    plain = train_lib.build_gan(ring8_config(**model, **{"train.fused_d_pass": "false"}))
    fast = train_lib.build_gan(
        ring8_config(**model, **{"train.fused_d_pass": "auto", "train.reuse_fake": reuse})
    )
    data = train_lib.build_dataset(ring8_config(**model))
    batch = next(iter(data))
    logs_plain, logs_fast = one_step(plain, batch), one_step(fast, batch)
    assert all(np.isfinite(v) for v in logs_fast.values())
    if not reuse:  # the fused pass (where auto chose it) changes nothing
        for key, value in logs_plain.items():
            assert logs_fast[key] == pytest.approx(value, rel=1e-4, abs=1e-5), key


def test_config_rejects_unknown_choices():
    for key, value in (
        ("train.fused_d_pass", "maybe"),
        ("train.precision", "float8"),
        ("train.strategy", "horovod"),
    ):
        with pytest.raises(ConfigError, match=key):
            ring8_config(**{key: value})


def test_xla_step_with_fused_pass_and_reuse():
    g, d = nets()
    gan = GAN(g, d, LATENT, seed=0, reuse_fakes=True, d_steps=2)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3),
        g_optimizer=keras.optimizers.Adam(1e-3),
        jit_compile=True,
    )
    assert gan._fuse_d
    logs = one_step(gan, images(8))
    assert all(np.isfinite(v) for v in logs.values())
