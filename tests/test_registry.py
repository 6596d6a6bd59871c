import pytest

from ganzoo.errors import ConfigError
from ganzoo.registry import Registry, closest_names


def test_closest_names():
    assert (
        closest_names("mnist_dcgn", ["mnist_dcgan", "cifar10_dcgan", "ring8_gan"])[0]
        == "mnist_dcgan"
    )


def test_registry_get_and_error():
    reg = Registry("widget")
    reg.register("alpha")(1)
    reg.register("beta")(2)
    assert reg.get("alpha") == 1 and reg.names() == ["alpha", "beta"] and "beta" in reg
    with pytest.raises(ConfigError, match=r"Unknown widget 'alpah'. Did you mean 'alpha'\?"):
        reg.get("alpah")


def test_registry_refuses_a_second_object_under_one_name():
    reg = Registry("widget")
    reg.register("alpha")(1)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("alpha")(2)
