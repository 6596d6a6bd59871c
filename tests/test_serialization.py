"""One round-trip test for every model kind: each ganzoo class registered as Keras-serializable
must be saved and loaded by at least one GAN of the table below, giving the same outputs.

A new layer or model is covered by adding the experiment that uses it to ROUND_TRIPS.
"""

import functools

import keras
import numpy as np
import pytest

import ganzoo
from ganzoo import data as data_lib
from ganzoo import train_lib

TINY = {"model.width": 8, "model.latent_dim": 8, "train.batch_size": 4}

# experiment -> extra overrides that keep it tiny (the family's own size knobs).
ROUND_TRIPS = {
    "mnist_dcgan": {"model.minibatch_std_group": 2},
    "ring8_gan": {},
    "fashion_mnist_hinge_sngan": {},
    "cifar10_sagan": {"model.width": 8},
    "cifar10_stylegan2": {"model.mapping_layers": 2, "stabilizers.ema_decay": 0.9},
    "fashion_mnist_cgan": {},
    "fashion_mnist_acgan": {},
    "fashion_mnist_projection": {},
    "mnist_infogan": {},
}


def config_of(name):
    return ganzoo.get_experiment(name, {**TINY, **ROUND_TRIPS[name]})


@functools.cache
def build(name):
    return train_lib.build_gan(config_of(name))


def _inputs(gan, config, num=4):
    """(G's inputs, D's inputs): [z, labels] (and [x, labels]) for a conditional GAN."""
    x = np.random.default_rng(0).uniform(-1, 1, (num, *data_lib.example_shape(config)))
    x = x.astype("float32")
    g_in = gan.latent_for_seed(num, seed=1)  # [z, labels] for a ConditionalGAN
    d_in = [x, g_in[1]] if len(gan.discriminator.inputs) == 2 else x  # ACGAN's D: images only
    return g_in, d_in


def _outputs(gan, g_in, d_in):
    g = keras.ops.convert_to_numpy(gan.sampling_generator(g_in, training=False))
    d = keras.ops.convert_to_numpy(keras.tree.flatten(gan.discriminator(d_in, training=False))[0])
    return g, d


@pytest.mark.parametrize("name", sorted(ROUND_TRIPS))
def test_gan_round_trips_through_a_keras_file(name, tmp_path):
    gan = build(name)
    g_in, d_in = _inputs(gan, config_of(name))
    before = _outputs(gan, g_in, d_in)
    path = str(tmp_path / f"{name}.keras")
    gan.save(path)
    again = keras.models.load_model(path)
    assert type(again) is type(gan)
    for a, b in zip(before, _outputs(again, g_in, d_in), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _ganzoo_classes(obj) -> set[str]:
    found = {type(obj).__name__}
    for module in getattr(obj, "_flatten_layers", lambda **_: [])(include_self=False):
        found.add(type(module).__name__)
        found |= {type(m).__name__ for m in module._flatten_layers(include_self=False)}
    return found


def test_every_registered_class_is_in_a_round_trip():
    seen = set()
    for name in ROUND_TRIPS:
        seen |= _ganzoo_classes(build(name))
    registered = {
        key.split(">", 1)[1]
        for key in keras.saving.get_custom_objects()
        if key.startswith("ganzoo>")
    }
    missing = sorted(registered - seen)
    assert not missing, (
        f"Registered ganzoo classes that no round trip covers: {missing}. Add an experiment "
        "that uses them to ROUND_TRIPS in tests/test_serialization.py."
    )
