import re

import numpy as np
import pytest

from ganzoo.config import apply_overrides, base_config
from ganzoo.errors import ConfigError
from ganzoo.models import MODELS, build_models, check_model_config, dcgan, mlp


@pytest.mark.parametrize("resolution, channels", [(28, 1), (32, 3), (64, 3), (16, 1)])
def test_dcgan_shapes(resolution, channels):
    g = dcgan.generator(8, resolution, channels, width=4)
    d = dcgan.discriminator(resolution, channels, width=4)
    images = g(np.random.normal(size=(2, 8)).astype("float32"))
    assert images.shape == (2, resolution, resolution, channels)
    assert float(np.max(np.abs(images))) <= 1.0
    assert d(images).shape == (2, 1)


@pytest.mark.parametrize("resolution", [31, 8, 12, 100])
def test_dcgan_unsupported_resolution(resolution):
    with pytest.raises(ConfigError, match=rf"model.resolution={resolution}.*28, 32, 64"):
        dcgan.start_size(resolution)


def test_mlp_shapes_and_wrong_data():
    g, d = mlp.generator(4, 2, 8, 2), mlp.discriminator(2, 8, 2)
    assert g(np.zeros((3, 4), "float32")).shape == (3, 2)
    assert d(np.zeros((3, 2), "float32")).shape == (3, 1)
    c = base_config()
    c.model.update(arch="mlp")
    with pytest.raises(ConfigError, match="expect vectors"):
        build_models(c.model, (28, 28, 1))


def test_dcgan_refuses_data_of_another_shape():
    c = apply_overrides(base_config(), {"model.width": 4})
    with pytest.raises(ConfigError, match=r"data of shape \(32, 32, 3\)"):
        build_models(c.model, (32, 32, 3))


# arch: (settings it can build, one setting it cannot, the key=value its error names)
BIGGAN_OK = dict(resolution=32, channels=3, conditioning="projection", num_classes=10)
CHECKS = {
    "dcgan": ({}, {"resolution": 30}, "model.resolution=30"),
    "mlp": ({}, {"depth": 0}, "model.depth=0"),
    "resnet": ({"resolution": 32, "channels": 3}, {"resolution": 30}, "model.resolution=30"),
    "stylegan2": ({"resolution": 32}, {"mapping_layers": -1}, "model.mapping_layers=-1"),
    "biggan": (BIGGAN_OK, {"conditioning": "concat"}, "model.conditioning='concat'"),
    "text_resnet": ({}, {"depth": 0}, "model.depth=0"),
    "text_gumbel": ({}, {"spectral_norm": True}, "model.spectral_norm=True"),
    "wavegan": ({}, {"kernel_size": 0}, "kernel_size=0"),
    "pix2pix": ({"resolution": 32}, {"channels": 4}, "model.channels=4"),
    "srgan": ({}, {"channels": 2}, "model.channels=2"),
    "mocogan": ({}, {"channels": 3}, "model.channels=3"),
}


def all_architectures() -> list[str]:
    """Every registered architecture name, the families' included."""
    import ganzoo.families.audio.models  # noqa: F401  (the families register theirs)
    import ganzoo.families.biggan.models  # noqa: F401
    import ganzoo.families.image_to_image.models  # noqa: F401
    import ganzoo.families.text.models  # noqa: F401
    import ganzoo.families.video.models  # noqa: F401

    return sorted(MODELS.names())


def test_every_architecture_has_a_check_case():
    assert all_architectures() == sorted(CHECKS)


@pytest.mark.parametrize("arch", sorted(CHECKS))
def test_every_family_checks_its_config(arch):
    """Each architecture's check passes a config it can build and refuses one it cannot,
    naming the setting."""
    assert arch in all_architectures()
    ok, bad, named = CHECKS[arch]
    c = base_config()
    c.model.update(arch=arch, **ok)
    check_model_config(c.model)
    c.model.update(**bad)
    with pytest.raises(ConfigError, match=re.escape(named)):
        check_model_config(c.model)


@pytest.mark.parametrize(
    "build",
    [
        lambda: dcgan.generator(8, 28, 1, 4),
        lambda: dcgan.discriminator(32, 3, 4),
        lambda: mlp.generator(4, 2, 8, 2),
        lambda: mlp.discriminator(2, 8, 2),
    ],
)
def test_models_round_trip_keras_files(build, tmp_path):
    import keras

    model = build()
    x = np.random.default_rng(0).normal(size=(2, *model.input_shape[1:])).astype("float32")
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again(x), model(x), atol=1e-6)
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
