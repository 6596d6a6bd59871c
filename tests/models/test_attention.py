import keras
import numpy as np
import pytest

from ganzoo.models.attention import SelfAttention
from ganzoo.models.layers import SpectralNorm


def features(shape=(2, 4, 5, 16), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_identity_at_init_and_rows_sum_to_one(spectral_norm):
    layer = SelfAttention(spectral_norm=spectral_norm)
    x = features()
    np.testing.assert_array_equal(layer(x, training=True), x)  # gamma = 0
    assert float(layer.gamma) == 0.0
    attention = np.asarray(layer.attention_weights(x))
    assert attention.shape == (2, 20, 20) and (attention >= 0).all()
    np.testing.assert_allclose(attention.sum(axis=-1), 1.0, atol=1e-5)
    assert isinstance(layer.query, SpectralNorm) == spectral_norm


def test_matches_numpy_formula():
    layer = SelfAttention()
    x = features(seed=1)
    layer(x)
    layer.gamma.assign(0.7)

    def conv1x1(conv, t):
        return t @ conv.kernel.numpy()[0, 0] + conv.bias.numpy()

    b, h, w, c = x.shape
    flat = x.reshape(b, h * w, c)
    q, k, v = (conv1x1(conv, flat) for conv in (layer.query, layer.key, layer.value))
    assert q.shape[-1] == c // 8 and v.shape[-1] == c // 2
    scores = q @ k.transpose(0, 2, 1)
    beta = np.exp(scores - scores.max(-1, keepdims=True))
    beta /= beta.sum(-1, keepdims=True)
    expected = flat + 0.7 * conv1x1(layer.out, beta @ v)
    np.testing.assert_allclose(layer(x), expected.reshape(x.shape), atol=1e-4)


def test_config_round_trip_and_bad_input():
    layer = SelfAttention(spectral_norm=True, name="attn")
    again = SelfAttention.from_config(layer.get_config())
    assert again.spectral_norm and again.name == "attn"
    with pytest.raises(ValueError, match=r"Received: input_shape=\(2, 16\)"):
        SelfAttention()(np.zeros((2, 16), "float32"))


def test_keras_file_round_trip(tmp_path):
    inputs = keras.Input((4, 4, 8))
    model = keras.Model(inputs, SelfAttention(spectral_norm=True)(inputs))
    model.layers[-1].gamma.assign(0.5)
    x = features((2, 4, 4, 8))
    path = str(tmp_path / "a.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again(x), model(x), atol=1e-6)
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]
