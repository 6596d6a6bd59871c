"""Text G and D: shapes, the Gumbel-softmax layer, `.keras` round trips, WGAN-GP on [B, L, V]."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import penalties
from ganzoo.config import base_config
from ganzoo.errors import ConfigError
from ganzoo.families.text import models as text_resnet
from ganzoo.models import build_models


def test_softmax_generator_and_discriminator_shapes():
    g = text_resnet.generator(8, seq_len=6, vocab_size=5, width=4, depth=2)
    d = text_resnet.discriminator(6, 5, width=4, depth=2)
    x = g(np.random.default_rng(0).normal(size=(3, 8)).astype("float32"))
    assert x.shape == (3, 6, 5)
    np.testing.assert_allclose(np.sum(x, axis=-1), 1.0, atol=1e-5)  # a distribution per position
    assert d(x).shape == (3, 1)


def test_gumbel_generator_outputs_one_hot_and_passes_gradients():
    g = text_resnet.generator(8, 6, 5, width=4, depth=1, output="gumbel", hard=True)
    z = tf.random.normal((3, 8), seed=1)
    with tf.GradientTape() as tape:
        y = g(z, training=True)
        loss = tf.reduce_sum(y * tf.range(5, dtype=tf.float32))
    values = np.unique(np.round(y.numpy(), 5))
    assert set(values) <= {0.0, 1.0} and np.allclose(y.numpy().sum(-1), 1.0, atol=1e-5)
    grads = tape.gradient(loss, g.trainable_variables)  # straight-through: relaxed gradients
    assert all(gr is not None for gr in grads) and float(tf.linalg.global_norm(grads)) > 0
    inference = g(z, training=False).numpy()  # argmax of the logits: deterministic
    np.testing.assert_array_equal(inference, g(z, training=False).numpy())
    relaxed = text_resnet.generator(8, 6, 5, width=4, depth=1, output="gumbel", hard=False)
    soft = relaxed(z, training=True).numpy()
    assert ((soft > 0.001) & (soft < 0.999)).any()


def test_gumbel_softmax_matches_its_formula():
    layer = text_resnet.GumbelSoftmax(temperature=0.5, hard=False, seed=3)
    logits = tf.constant([[2.0, 0.0, -1.0]])
    y = layer(logits, training=True).numpy()
    # Same seed, same uniform draw: recompute softmax((logits + g) / tau) by hand.
    u = keras.random.uniform((1, 3), 1e-6, 1 - 1e-6, seed=keras.random.SeedGenerator(3)).numpy()
    g = -np.log(-np.log(u))
    e = np.exp((logits.numpy() + g) / 0.5)
    np.testing.assert_allclose(y, e / e.sum(-1, keepdims=True), rtol=1e-5)


def test_registered_families_build_and_refuse_image_shapes():
    c = base_config()
    c.model.update(arch="text_gumbel", latent_dim=4, width=4, depth=1)
    g, d = build_models(c.model, (7, 3))
    assert g.output_shape == (None, 7, 3) and d.output_shape == (None, 1)
    with pytest.raises(ConfigError, match=r"Received: example shape \(28, 28, 1\)"):
        build_models(c.model, (28, 28, 1))
    c.model.depth = 0
    with pytest.raises(ConfigError, match="model.depth=0"):
        build_models(c.model, (7, 3))


@pytest.mark.parametrize("output", ["softmax", "gumbel"])
def test_text_models_round_trip_keras_files(output, tmp_path):
    g = text_resnet.generator(4, 6, 5, width=4, depth=1, output=output, temperature=0.7)
    d = text_resnet.discriminator(6, 5, width=4, depth=1)
    z = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    for model, x in ((g, z), (d, g(z).numpy())):
        path = str(tmp_path / f"{model.name}.keras")
        model.save(path)
        again = keras.models.load_model(path)
        np.testing.assert_allclose(again(x), model(x), atol=1e-6)
    layer = keras.models.load_model(str(tmp_path / f"{g.name}.keras")).get_layer("chars")
    if output == "gumbel":
        assert layer.hard and float(layer.temperature) == pytest.approx(0.7)


def test_wgan_gp_penalty_on_rank_3_inputs():
    # A linear critic D(x) = sum(w * x): grad_x D = w for every x^, penalty = (||w|| - 1)^2.
    w = np.random.default_rng(0).normal(size=(1, 6, 5)).astype("float32")
    real = np.eye(5, dtype="float32")[np.random.default_rng(1).integers(0, 5, (4, 6))]
    fake = np.full((4, 6, 5), 0.2, "float32")

    def critic(x):
        return tf.reduce_sum(x * w, axis=[1, 2])[:, None]

    value = penalties.wgan_gp(critic, real, fake, seed=keras.random.SeedGenerator(0))
    assert float(value) == pytest.approx((np.sqrt(np.sum(w**2)) - 1.0) ** 2, rel=1e-5)
