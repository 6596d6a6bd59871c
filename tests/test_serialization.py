"""One round-trip test for every model kind: each ganzoo class registered as Keras-serializable
must be saved and loaded by at least one GAN of the table below, giving the same outputs.

A new layer or model is covered by adding the experiment that uses it to ROUND_TRIPS.
"""

import functools

import keras
import numpy as np
import pytest

import ganzoo
from ganzoo import train_lib
from ganzoo.experiment import smoke_overrides
from ganzoo.families.audio import classifier as audio_classifier
from ganzoo.families.text.data import DEFAULT_CHARSET

TINY = {"model.width": 8, "model.latent_dim": 8, "train.batch_size": 4}

# experiment -> extra overrides that keep it tiny (the family's own size knobs).
ROUND_TRIPS = {
    "mnist_dcgan": {"model.minibatch_std_group": 2},
    "ring8_gan": {},
    "grid25_gan": {},  # its optimizers' LinearTailDecay (optimizer.decay_from)
    "fashion_mnist_hinge_sngan": {},
    "cifar10_sagan": {},
    "cifar10_stylegan2": {"model.mapping_layers": 2, "stabilizers.ema_decay": 0.9},
    "fashion_mnist_cgan": {},
    "fashion_mnist_acgan": {},
    "fashion_mnist_projection": {},
    "mnist_infogan": {},
    "imagenet32_biggan": {"model.width": 4},
    "fashion_mnist_inpaint_pix2pix": {},
    "fashion_mnist_sr4_srgan": {"image_to_image.res_blocks": 1},
    "fashion_mnist_cyclegan_sneaker_boot": {
        "cyclegan.g_width": 4,
        "cyclegan.d_width": 4,
        "cyclegan.res_blocks": 1,
    },
    # A given vocabulary: the round trip reads no corpus, so it needs no Debian fortunes.
    "text_chars_gumbel": {"text.vocab": DEFAULT_CHARSET},
    "speech_digits_wavegan": {"model.width": 2},
    "video_moving_fashion_mnist": {"model.resolution": 16, "video.frames": 4},
}


def config_of(name):
    return ganzoo.get_experiment(name, {**TINY, **smoke_overrides(name), **ROUND_TRIPS[name]})


@functools.cache
def build(name):
    return train_lib.build_gan(config_of(name))


def random_inputs(model, batch=2):
    """Inputs for every input of a functional model: uniform [-1, 1] floats, zero int labels."""
    rng = np.random.default_rng(0)
    out = []
    for spec in model.inputs:
        shape = (batch, *spec.shape[1:])
        if "int" in str(spec.dtype):
            out.append(np.zeros(shape, "int32"))
        else:
            out.append(rng.uniform(-1, 1, shape).astype("float32"))
    return out if len(out) > 1 else out[0]


def outputs(model, inputs):
    return [keras.ops.convert_to_numpy(t) for t in keras.tree.flatten(model(inputs))]


@pytest.mark.parametrize("name", sorted(ROUND_TRIPS))
def test_gan_round_trips_through_a_keras_file(name, tmp_path):
    gan = build(name)
    nets = {"generator": gan.generator, "discriminator": gan.discriminator}
    inputs = {key: random_inputs(net) for key, net in nets.items()}
    before = {key: outputs(net, inputs[key]) for key, net in nets.items()}
    path = str(tmp_path / f"{name}.keras")
    gan.save(path)
    again = keras.models.load_model(path)
    assert type(again) is type(gan)
    for key in nets:
        after = outputs(getattr(again, key), inputs[key])
        for a, b in zip(before[key], after, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=f"{name} {key}")
    for key in ("d_optimizer", "g_optimizer"):  # learning-rate schedules included
        assert getattr(again, key).get_config() == getattr(gan, key).get_config(), (name, key)


def test_audio_domain_classifier_round_trips(tmp_path):
    model = audio_classifier.build_audio_classifier((4096, 1), 10, 8000, width=4)
    x = random_inputs(model)
    path = str(tmp_path / "audio_classifier.keras")
    model.save(path)
    for a, b in zip(outputs(model, x), outputs(keras.models.load_model(path), x), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def _classes(model) -> set[str]:
    """The classes of `model`, its layers and its optimizers' learning rates (schedules)."""
    layers = {type(m).__name__ for m in model._flatten_layers(include_self=False)}
    optimizers = [getattr(model, key, None) for key in ("d_optimizer", "g_optimizer")]
    rates = {type(opt._learning_rate).__name__ for opt in optimizers if opt is not None}
    return {type(model).__name__} | layers | rates


def test_every_registered_class_is_in_a_round_trip():
    seen = set()
    for name in ROUND_TRIPS:
        seen |= _classes(build(name))
    # The speech domain classifier's spectrogram layer (test_audio_domain_classifier_...).
    seen |= _classes(audio_classifier.build_audio_classifier((4096, 1), 10, 8000, width=4))
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
