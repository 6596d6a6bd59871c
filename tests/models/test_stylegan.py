import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import stabilizers
from ganzoo.config import apply_overrides, base_config
from ganzoo.errors import ConfigError
from ganzoo.models import build_models, check_model_config, stylegan
from ganzoo.models.style_layers import (
    ConstantInput,
    EqualizedDense,
    ModulatedConv2D,
    NoiseInjection,
    PixelNorm,
    StyledConv,
)


def tiny_config(**model):
    overrides = {
        "model.arch": "stylegan2",
        "model.width": 4,
        "model.latent_dim": 8,
        "model.mapping_layers": 2,
    }
    overrides.update({f"model.{k}": v for k, v in model.items()})
    return apply_overrides(base_config(), overrides)


def z(n=2, dim=8, seed=0):
    return np.random.default_rng(seed).normal(size=(n, dim)).astype("float32")


@pytest.mark.parametrize("resolution, channels", [(28, 1), (32, 3), (64, 3)])
def test_shapes_and_range(resolution, channels):
    c = tiny_config(resolution=resolution, channels=channels)
    check_model_config(c.model)
    g, d = build_models(c.model, (resolution, resolution, channels))
    images = g(z(), training=True)
    assert images.shape == (2, resolution, resolution, channels)
    assert float(np.max(np.abs(images))) <= 1.0
    assert d(images).shape == (2, 1)
    # inference uses the stored noise maps: samples are a function of z
    np.testing.assert_array_equal(g(z(), training=False), g(z(), training=False))


def test_layout():
    g = stylegan.generator(16, 32, 3, width=4, mapping_layers=3)
    assert [type(g.get_layer(f"mapping{i}")) for i in range(3)] == [EqualizedDense] * 3
    assert g.get_layer("mapping0").lr_multiplier == 0.01
    assert isinstance(g.get_layer("const"), ConstantInput)
    styled = [layer.name for layer in g.layers if isinstance(layer, StyledConv)]
    assert styled == ["conv4", "conv8a", "conv8b", "conv16a", "conv16b", "conv32a", "conv32b"]
    assert [g.get_layer(f"to_rgb{s}").output.shape[1] for s in (4, 8, 16, 32)] == [4, 8, 16, 32]
    assert stylegan.generator(16, 32, 3, width=4, mapping_layers=0).count_params() > 0


def test_unsupported_configs():
    with pytest.raises(ConfigError, match=r"model.resolution=48.*28, 32, 64"):
        check_model_config(tiny_config(resolution=48).model)
    with pytest.raises(ConfigError, match=r"model.mapping_layers=-1"):
        check_model_config(tiny_config(mapping_layers=-1).model)
    with pytest.raises(ConfigError, match=r"sides of D's feature maps: \[8, 16\]"):
        check_model_config(tiny_config(resolution=32, attention_resolutions="32").model)
    with pytest.raises(ConfigError, match=r"data of shape \(32, 32, 3\)"):
        build_models(tiny_config().model, (32, 32, 3))


def test_demodulation_gives_unit_norm_kernels():
    layer = ModulatedConv2D(5, 3)
    x = np.random.default_rng(1).normal(size=(2, 6, 6, 4)).astype("float32")
    w = z(2, 8, seed=2)
    y = layer([x, w])
    # numpy: s = w A / sqrt(8) + 1, W' = W / sqrt(3*3*4) * s_i, W'' = W' / ||W'||_(k,k,i)
    a = layer.affine
    s = w @ a.kernel.numpy() / np.sqrt(8) + a.bias.numpy()
    kernel = layer.kernel.numpy() / np.sqrt(3 * 3 * 4)
    modulated = kernel[None] * s[:, None, None, :, None]
    norms = np.sqrt(np.sum(modulated**2, axis=(1, 2, 3), keepdims=True) + 1e-8)
    expected = modulated / norms
    got = np.asarray(layer.modulated_kernel(w))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.sum(got**2, axis=(1, 2, 3))), 1.0, atol=1e-4)
    # the layer's fast path (scale inputs, shared conv, scale outputs) applies those kernels
    per_sample = [tf.nn.conv2d(x[b : b + 1], expected[b], 1, "SAME") for b in range(2)]
    np.testing.assert_allclose(y, np.concatenate(per_sample), atol=1e-4)


def test_to_rgb_is_not_demodulated():
    layer = ModulatedConv2D(3, 1, demodulate=False, use_bias=True)
    x, w = np.ones((1, 2, 2, 4), "float32"), z(1)
    layer([x, w])
    s = w @ layer.affine.kernel.numpy() / np.sqrt(8) + layer.affine.bias.numpy()
    expected = (s[0] * x[0, 0, 0]) @ layer.kernel.numpy()[0, 0] / 2.0
    np.testing.assert_allclose(layer([x, w])[0, 0, 0], expected, atol=1e-5)


def test_noise_injection():
    layer = NoiseInjection(seed=3)
    x = np.zeros((2, 4, 4, 3), "float32")
    np.testing.assert_array_equal(layer(x, training=True), x)  # strength starts at 0
    layer.strength.assign([1.0, 0.0, 2.0])
    a, b = layer(x, training=True), layer(x, training=True)
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(a[..., 1], 0.0)
    np.testing.assert_allclose(a[..., 2], 2 * a[..., 0], atol=1e-6)  # one map, per-channel gain
    np.testing.assert_array_equal(layer(x), layer(x))
    np.testing.assert_allclose(layer(x)[0, ..., 0], layer.const_noise.numpy()[0, ..., 0])


def test_pixel_norm():
    x = np.array([[3.0, 4.0]], "float32")
    np.testing.assert_allclose(PixelNorm()(x), x / np.sqrt(12.5), rtol=1e-6)


def test_keras_file_round_trip_and_ema_clone(tmp_path):
    model = stylegan.generator(8, 32, 3, width=4, mapping_layers=2)
    for layer in model.layers:  # non-zero noise strengths, so the noise maps must round-trip
        if isinstance(layer, StyledConv):
            layer.noise.strength.assign(np.full(layer.filters, 0.5, "float32"))
    path = str(tmp_path / "g.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again(z()), model(z()), atol=1e-5)
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    ema = stabilizers.clone_for_ema(model)
    np.testing.assert_allclose(ema(z()), model(z()), atol=1e-5)


def test_two_step_fit_with_r1_and_ema():
    c = tiny_config(resolution=32, channels=3)
    g, d = build_models(c.model, (32, 32, 3))
    gan = ganzoo.GAN(g, d, latent_dim=8, seed=0, penalty="r1", penalty_weight=0.01, ema_decay=0.99)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99),
        g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99),
        jit_compile=False,
    )
    real = np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    history = gan.fit(real, batch_size=2, epochs=1, verbose=0).history
    assert int(gan.g_optimizer.iterations) == 2
    assert all(np.isfinite(v[-1]) for v in history.values())
    assert np.isfinite(gan.generate(3)).all()
