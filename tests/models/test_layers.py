import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.config import apply_overrides, base_config
from ganzoo.models import build_models, dcgan, mlp
from ganzoo.models.layers import MinibatchStdDev, SpectralNorm

RNG = np.random.default_rng(0)


def with_singular_values(shape, values):
    """A kernel of `shape` whose [fan_in, units] matrix has the given singular values."""
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    u, _ = np.linalg.qr(RNG.normal(size=(rows, cols)))
    v, _ = np.linalg.qr(RNG.normal(size=(cols, cols)))
    return (u @ np.diag(values) @ v.T).reshape(shape).astype(np.float32)


def top_singular_value(kernel):
    kernel = np.asarray(kernel)
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


@pytest.mark.parametrize(
    "layer, x",
    [
        (keras.layers.Dense(4), RNG.normal(size=(2, 6))),
        (keras.layers.Conv2D(4, 3, padding="same"), RNG.normal(size=(2, 5, 5, 2))),
    ],
)
def test_spectral_norm_brings_the_top_singular_value_to_one(layer, x):
    sn = SpectralNorm(layer)
    sn(x.astype(np.float32))
    sn.layer.kernel.assign(with_singular_values(sn.layer.kernel.shape, [3.0, 1.5, 1.0, 0.5]))
    before = sn.u.numpy().copy()
    for _ in range(8):
        sn(x.astype(np.float32), training=True)
    assert not np.allclose(sn.u.numpy(), before)  # training calls advance the power iteration
    np.testing.assert_allclose(top_singular_value(sn.normalized_kernel()), 1.0, atol=1e-3)
    np.testing.assert_allclose(top_singular_value(sn.layer.kernel), 3.0, rtol=1e-5)  # raw kept
    after = sn.u.numpy().copy()
    sn(x.astype(np.float32), training=False)
    np.testing.assert_array_equal(sn.u.numpy(), after)  # inference does not


def test_spectral_norm_computes_the_layer_with_the_normalised_kernel():
    sn = SpectralNorm(keras.layers.Dense(3, activation="relu", bias_initializer="ones"))
    x = RNG.normal(size=(4, 5)).astype(np.float32)
    out = sn(x, training=True).numpy()
    want = np.maximum(x @ sn.normalized_kernel().numpy() + 1.0, 0.0)
    np.testing.assert_allclose(out, want, atol=1e-5)


def test_spectral_norm_variables():
    sn = SpectralNorm(keras.layers.Conv2D(4, 3))
    sn.build((None, 6, 6, 2))
    assert [w.name for w in sn.trainable_weights] == ["kernel", "bias"]
    assert [w.name for w in sn.non_trainable_weights] == ["u"]
    assert sn.u.shape == (1, 4)


def test_spectral_norm_gradient_flows_through_sigma():
    # d/dW of sum(x W / sigma(W)) is not x^T 1 / sigma: sigma depends on W.
    sn = SpectralNorm(keras.layers.Dense(2, use_bias=False))
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    sn(x)
    for _ in range(20):
        sn(x, training=True)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(sn(x, training=False))
    grad = tape.gradient(total, sn.layer.kernel).numpy()
    w = sn.layer.kernel.numpy().astype(np.float64)

    def f(w):
        return np.sum(x @ (w / np.linalg.svd(w, compute_uv=False)[0]))

    eps, numeric = 1e-4, np.zeros_like(w)
    for i in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[i] = eps
        numeric[i] = (f(w + step) - f(w - step)) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, atol=2e-3)


def test_spectral_norm_refuses_other_layers():
    with pytest.raises(ValueError, match="Received: layer=Conv2DTranspose"):
        SpectralNorm(keras.layers.Conv2DTranspose(2, 3))
    with pytest.raises(ValueError, match="power_iterations=0"):
        SpectralNorm(keras.layers.Dense(2), power_iterations=0)


def test_minibatch_stddev_matches_hand_computation():
    x = RNG.normal(size=(4, 2, 2, 3)).astype(np.float32)
    out = MinibatchStdDev(group_size=2)(x).numpy()
    assert out.shape == (4, 2, 2, 4)
    np.testing.assert_array_equal(out[..., :3], x)
    # Groups are samples {0, 2} and {1, 3}: b joins group b mod (B / G).
    for members in ((0, 2), (1, 3)):
        std = np.sqrt(x[list(members)].var(axis=0) + 1e-8).mean()
        for b in members:
            np.testing.assert_allclose(out[b, ..., 3], std, rtol=1e-5)


def test_minibatch_stddev_on_vectors_and_small_batches():
    x = RNG.normal(size=(3, 5)).astype(np.float32)
    out = MinibatchStdDev(group_size=4)(x).numpy()  # a batch of 3 < 4: one group
    np.testing.assert_allclose(out[:, 5], np.sqrt(x.var(axis=0) + 1e-8).mean(), rtol=1e-5)
    with pytest.raises(ValueError, match="a batch of 6 for MinibatchStdDev\\(group_size=4\\)"):
        MinibatchStdDev(group_size=4)(np.zeros((6, 2), np.float32))


def test_layers_round_trip_keras_files(tmp_path):
    inputs = keras.Input((6, 6, 2))
    x = SpectralNorm(keras.layers.Conv2D(4, 3, strides=2), power_iterations=2)(inputs)
    x = MinibatchStdDev(group_size=2)(x)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, SpectralNorm(keras.layers.Dense(1))(x))
    data = RNG.normal(size=(4, 6, 6, 2)).astype(np.float32)
    for _ in range(3):
        model(data, training=True)
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again(data), model(data), atol=1e-6)
    us = [w.numpy() for w in model.weights if w.name == "u"]
    assert len(us) == 2
    for a, b in zip([w.numpy() for w in again.weights if w.name == "u"], us, strict=True):
        np.testing.assert_array_equal(a, b)  # the power-iteration state is saved
    assert again.layers[1].power_iterations == 2 and again.layers[2].group_size == 2


def test_discriminators_use_the_layers_through_config():
    c = apply_overrides(
        base_config(),
        {"model.width": 4, "model.spectral_norm": True, "model.minibatch_std_group": 2},
    )
    _, d = build_models(c.model, (28, 28, 1))
    kinds = [type(layer).__name__ for layer in d.layers]
    assert kinds.count("SpectralNorm") == 3 and kinds.count("MinibatchStdDev") == 1
    assert d(np.zeros((4, 28, 28, 1), np.float32)).shape == (4, 1)
    c = apply_overrides(base_config(), {"model.arch": "mlp", "model.spectral_norm": True})
    _, d = build_models(c.model, (2,))
    assert [type(layer).__name__ for layer in d.layers].count("SpectralNorm") == 4
    plain = [type(layer).__name__ for layer in dcgan.discriminator(28, 1, 4).layers]
    assert "SpectralNorm" not in plain and "MinibatchStdDev" not in plain


@pytest.mark.parametrize(
    "build",
    [
        lambda: dcgan.discriminator(16, 3, 4, spectral_norm=True, minibatch_std_group=2),
        lambda: mlp.discriminator(2, 8, 2, spectral_norm=True),
    ],
)
def test_spectral_discriminators_round_trip_keras_files(build, tmp_path):
    model = build()
    x = RNG.normal(size=(4, *model.input_shape[1:])).astype(np.float32)
    model(x, training=True)
    path = str(tmp_path / "d.keras")
    model.save(path)
    np.testing.assert_allclose(keras.models.load_model(path)(x), model(x), atol=1e-6)


def test_spectral_norm_is_sane_at_inference_before_any_training_call():
    import keras

    from ganzoo.models.layers import SpectralNorm

    for seed in range(5):  # the kernel's random draw must not matter
        keras.utils.set_random_seed(seed)
        _check_warm_started_sigma(SpectralNorm(keras.layers.Dense(64)))


def _check_warm_started_sigma(layer):
    import numpy as np

    x = np.random.default_rng(0).normal(size=(16, 256)).astype("float32")
    layer(x)  # builds; no training call has advanced u yet
    w = layer.layer.kernel.numpy()
    sigma_true = np.linalg.svd(w, compute_uv=False)[0]
    estimate = float(layer._sigma(update=False))
    assert 0.99 * sigma_true < estimate <= sigma_true * 1.0001
    out = layer(x, training=False).numpy()
    assert np.abs(out).max() < 10 * np.abs(x @ (w / sigma_true)).max()
