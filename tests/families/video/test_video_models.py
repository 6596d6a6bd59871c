"""MoCoGAN-style video networks: shapes, content shared along a clip, `.keras` round trips."""

import keras
import ml_collections
import numpy as np
import pytest

from ganzoo.errors import ConfigError
from ganzoo.families.video import models as video
from ganzoo.models import MODELS


def _model_config(**changes):
    c = dict(arch="mocogan", resolution=16, channels=1, latent_dim=6, width=4)
    return ml_collections.ConfigDict({**c, **changes})


def test_generator_and_discriminator_shapes():
    g = video.generator(6, frames=4, resolution=16, width=4, motion_dim=3, noise_dim=2)
    d = video.discriminator(4, 16, 1, width=4)
    assert g.input_shape == (None, 6 + 4 * 2) and g.output_shape == (None, 4, 16, 16, 1)
    z = np.random.default_rng(0).standard_normal((3, 14)).astype("float32")
    clips = g(z, training=False).numpy()
    assert clips.shape == (3, 4, 16, 16, 1) and np.abs(clips).max() <= 1.0
    video_logits, frame_logits = d(clips)
    assert video_logits.shape == (3, 1) and frame_logits.shape == (3, 4, 1)
    # The frame logits are the frame D on each frame.
    frame_d = d.get_layer(video.FRAME_D)
    np.testing.assert_allclose(
        frame_logits.numpy()[:, 2], frame_d(clips[:, 2]).numpy(), rtol=1e-4, atol=1e-5
    )


def test_content_is_shared_and_motion_noise_moves_frames():
    g = video.generator(6, frames=4, resolution=16, width=4, motion_dim=3, noise_dim=2)
    z = np.random.default_rng(1).standard_normal((2, 14)).astype("float32")
    codes = keras.Model(g.input, g.get_layer("frame_codes").output)(z).numpy()  # [2, 4, 9]
    # Every frame's code starts with the clip's content code z[:, :6] ...
    np.testing.assert_allclose(codes[:, :, :6], np.repeat(z[:, None, :6], 4, axis=1))
    # ... and each frame is the 2-D generator applied to its own code.
    clips = g(z).numpy()
    frame_g = g.get_layer(video.FRAME_G)
    np.testing.assert_allclose(clips[:, 3], frame_g(codes[:, 3]).numpy(), rtol=1e-4, atol=1e-5)
    # New motion noise, same content: other motion codes, so other frames.
    other = z.copy()
    other[:, 6:] = np.random.default_rng(2).standard_normal((2, 8))
    assert not np.allclose(g(other).numpy(), clips)


def test_registry_build_and_keras_round_trip(tmp_path):
    g, d = MODELS.get("mocogan").build(_model_config(), (4, 16, 16, 1))
    z = np.random.default_rng(0).standard_normal((2, g.input_shape[-1])).astype("float32")
    for model, x in ((g, z), (d, g(z).numpy())):
        path = str(tmp_path / f"{model.name}.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        for got, want in zip(
            keras.tree.flatten(loaded(x)), keras.tree.flatten(model(x)), strict=True
        ):
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-6)


def test_unsupported_configs_are_refused():
    with pytest.raises(ConfigError, match="model.channels=3"):
        video.check(_model_config(channels=3))
    with pytest.raises(ConfigError, match="model.resolution=20"):
        video.check(_model_config(resolution=20))
    with pytest.raises(ConfigError, match=r"Expected clips \[T, H, W, C\]"):
        video.build(_model_config(), (16, 16, 1))
