import keras
import numpy as np
import pytest

import ganzoo
from ganzoo.config import apply_overrides, base_config, flat_keys, from_json, to_json
from ganzoo.errors import ConfigError
from ganzoo.models import build_models, check_model_config, resnet
from ganzoo.models.attention import SelfAttention
from ganzoo.models.layers import SpectralNorm


def tiny_config(**model):
    overrides = {"model.arch": "resnet", "model.width": 8, "model.latent_dim": 8}
    overrides.update({f"model.{k}": v for k, v in model.items()})
    return apply_overrides(base_config(), overrides)


def fit_two_steps(g, d, latent_dim, **gan_kwargs):
    gan = ganzoo.GAN(g, d, latent_dim=latent_dim, seed=0, **gan_kwargs)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.9),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.9),
        jit_compile=False,
    )
    real = np.random.default_rng(0).uniform(-1, 1, (4, *d.input_shape[1:])).astype("float32")
    history = gan.fit(real, batch_size=2, epochs=1, verbose=0).history
    assert int(gan.g_optimizer.iterations) == 2
    assert all(np.isfinite(v[-1]) for v in history.values())
    assert np.isfinite(gan.generate(3)).all()


@pytest.mark.parametrize("resolution, channels", [(28, 1), (32, 3), (64, 3)])
def test_shapes_and_range(resolution, channels):
    g = resnet.generator(8, resolution, channels, width=4)
    d = resnet.discriminator(resolution, channels, width=4)
    images = g(np.random.default_rng(0).normal(size=(2, 8)).astype("float32"), training=True)
    assert images.shape == (2, resolution, resolution, channels)
    assert float(np.max(np.abs(images))) <= 1.0
    assert d(images).shape == (2, 1)


def test_sngan_layout_and_widths():
    g, d = resnet.generator(128, 32, 3, width=128), resnet.discriminator(32, 3, width=128)
    assert g.get_layer("project").units == 4 * 4 * 256
    assert [g.get_layer(f"up{i}_c2").filters for i in range(3)] == [256, 256, 256]
    assert [layer.name for layer in d.layers if isinstance(layer, keras.layers.Add)] == [
        "down0",
        "down1",
        "block2",
        "block3",
    ]
    assert d.get_layer("down1").output.shape[1:] == (8, 8, 128)
    sn = [layer for layer in d.layers if isinstance(layer, SpectralNorm)]
    assert len(sn) == 2 * 4 + 2 + 1  # two convs per block, two 1x1 shortcuts, the linear layer
    assert resnet.g_channels(64, 128) == [256, 256, 256, 128]
    assert resnet.d_channels(64, 128)[0] == (64, True)


def test_config_builds_spectral_norm_and_attention():
    c = tiny_config(spectral_norm=True, resolution=32, channels=3, attention_resolutions="16,32")
    check_model_config(c.model)
    g, d = build_models(c.model, (32, 32, 3))
    assert [layer.name for layer in g.layers if isinstance(layer, SelfAttention)] == [
        "attention16",
        "attention32",
    ]
    d_attention = [layer for layer in d.layers if isinstance(layer, SelfAttention)]
    assert [a.name for a in d_attention] == ["attention16"] and d_attention[0].spectral_norm
    assert any(isinstance(layer, SpectralNorm) for layer in d.layers)
    _, d = build_models(tiny_config(resolution=32, channels=3).model, (32, 32, 3))
    assert not any(isinstance(layer, SpectralNorm) for layer in d.layers)


@pytest.mark.parametrize("resolution", [16, 31, 128])
def test_unsupported_resolution(resolution):
    with pytest.raises(ConfigError, match=rf"model.resolution={resolution}.*28, 32, 64"):
        check_model_config(tiny_config(resolution=resolution).model)


def test_unsupported_attention_and_data_shape():
    with pytest.raises(
        ConfigError, match=r"attention_resolutions='4' at model.resolution=32.*\[8, 16, 32\]"
    ):
        check_model_config(tiny_config(resolution=32, attention_resolutions="4").model)
    with pytest.raises(ConfigError, match="Expected feature-map sides"):
        check_model_config(tiny_config(attention_resolutions="big").model)
    with pytest.raises(ConfigError, match=r"data of shape \(32, 32, 3\)"):
        build_models(tiny_config().model, (32, 32, 3))
    assert resnet.parse_resolutions(" 16, 8,") == (8, 16)
    assert resnet.parse_resolutions("") == resnet.parse_resolutions(()) == ()


def test_attention_key_survives_config_json():
    # A workdir's config.json must compare equal to the experiment's config to resume.
    c = tiny_config(attention_resolutions="16")
    assert flat_keys(from_json(to_json(c))) == flat_keys(c)


@pytest.mark.parametrize(
    "build",
    [
        lambda: resnet.generator(8, 32, 3, 8, attention_resolutions=(16,)),
        lambda: resnet.discriminator(32, 3, 8, attention_resolutions=(16,)),
        lambda: resnet.discriminator(64, 3, 8, spectral_norm=False, minibatch_std_group=2),
    ],
)
def test_keras_file_round_trip(build, tmp_path):
    model = build()
    for layer in model.layers:
        if isinstance(layer, SelfAttention):
            layer.gamma.assign(0.5)
    x = np.random.default_rng(0).normal(size=(2, *model.input_shape[1:])).astype("float32")
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again(x), model(x), atol=1e-5)
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]


def test_two_step_fit():
    c = tiny_config(resolution=32, channels=3, spectral_norm=True, attention_resolutions="16")
    g, d = build_models(c.model, (32, 32, 3))
    fit_two_steps(g, d, 8, loss="hinge")
