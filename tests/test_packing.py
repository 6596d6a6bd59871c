"""PacGAN's packing (stabilizers.pack): D judges m examples at once (Lin et al. 2018)."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import stabilizers, train_lib
from ganzoo.config import apply_overrides, base_config
from ganzoo.errors import ConfigError
from ganzoo.experiment import validate
from ganzoo.gan import GAN
from ganzoo.models import mlp


def tiny(**overrides):
    c = base_config()
    c.data.update(source="synthetic", name="ring8", synthetic_size=512, cache=False)
    c.model.update(arch="mlp", latent_dim=4, width=8, depth=1)
    c.train.update(steps=4, batch_size=16)
    return validate(apply_overrides(c, overrides))


def test_pack_puts_m_consecutive_examples_side_by_side():
    points = np.arange(12, dtype="float32").reshape(6, 2)
    packed = stabilizers.pack(tf.constant(points), 3).numpy()
    np.testing.assert_array_equal(packed, points.reshape(2, 6))  # (x0 y0 x1 y1 x2 y2)
    images = np.random.default_rng(0).random((4, 5, 5, 3)).astype("float32")
    packed = stabilizers.pack(tf.constant(images), 2).numpy()
    assert packed.shape == (2, 5, 5, 6)
    for group in range(2):
        for k in range(2):  # example group*2 + k holds channels 3k .. 3k+2
            np.testing.assert_array_equal(
                packed[group, ..., 3 * k : 3 * k + 3], images[2 * group + k]
            )
    np.testing.assert_array_equal(stabilizers.pack(tf.constant(images), 1).numpy(), images)


def test_packed_gan_trains_with_a_discriminator_for_m_examples():
    gan = train_lib.build_gan(tiny(**{"stabilizers.pack": 4}))
    assert gan.pack == 4 and gan.discriminator.input_shape == (None, 8)
    assert gan.generator.output_shape == (None, 2)
    real = tf.random.normal((16, 2))
    logits = gan.discriminator(gan.discriminator_inputs(real))
    assert logits.shape[0] == 4  # 16 examples, 4 D inputs
    before = [w.numpy().copy() for w in gan.discriminator.trainable_weights]
    logs = gan.train_step(real)
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["g_loss"]))
    after = gan.discriminator.trainable_weights
    assert any(not np.allclose(b, a.numpy()) for b, a in zip(before, after, strict=True))
    clone = GAN.from_config(gan.get_config())
    assert clone.pack == 4 and clone.discriminator.input_shape == (None, 8)


def test_a_discriminator_not_built_for_the_packed_shape_is_refused():
    g, d = mlp.generator(4, 2, 8, 1), mlp.discriminator(2, 8, 1)
    with pytest.raises(ConfigError, match=r"pack=2 with a discriminator taking \(2,\). Expected "):
        GAN(g, d, latent_dim=4, pack=2)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"stabilizers.pack": 0}, "stabilizers.pack=0. Expected an integer >= 1"),
        ({"stabilizers.pack": 3}, "pack=3, train.batch_size=16. Expected a batch size"),
        ({"stabilizers.pack": 2, "model.conditioning": "concat"}, "pack=2 for a conditional run"),
    ],
)
def test_config_validation(overrides, message):
    with pytest.raises(ConfigError, match=message):
        tiny(**overrides)


def test_every_family_either_packs_or_refuses():
    """Only a family whose D is the image family's packs: one that builds its own D refuses,
    or pack > 1 would reach a D built for one example."""
    from ganzoo.families import BUILTIN
    from ganzoo.family import FAMILIES, family_of

    family_of(tiny())  # loads the built-in families
    packing = [name for name in BUILTIN if FAMILIES.get(name).supports_packing]
    assert packing == ["image"]
    packed = tiny(**{"stabilizers.pack": 2})
    FAMILIES.get("image").check_packing(packed)
    for name in BUILTIN[1:]:
        with pytest.raises(ConfigError, match=f"stabilizers.pack=2 for a {name} run. Expected 1"):
            FAMILIES.get(name).check_packing(packed)
