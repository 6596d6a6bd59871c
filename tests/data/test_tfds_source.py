"""TFDS loading: mocked datasets, fast offline failure with advice, name and key errors."""

from __future__ import annotations

import socket
import time

import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from ganzoo.data import tfds as tfds_source
from ganzoo.errors import ConfigError, DataError


@pytest.fixture
def no_probe(monkeypatch):
    """Fails the test if anything probes the network."""

    def probe(*args, **kwargs):
        raise AssertionError("the network must not be probed here")

    monkeypatch.setattr(tfds_source, "network_reachable", probe)


@pytest.mark.parametrize("name, shape", [("mnist", (28, 28, 1)), ("cifar10", (32, 32, 3))])
def test_mock_data_loads_without_probe_or_download(name, shape, tmp_path, no_probe):
    with tfds.testing.mock_data(num_examples=6):
        ds = tfds_source.load_tfds(name, data_dir=str(tmp_path), with_labels=True)
        examples = list(ds)
    assert len(examples) == 6
    image, label = examples[0]
    assert image.shape == shape and image.dtype == tf.uint8
    assert label.dtype == tf.int32
    assert not list(tmp_path.iterdir())  # nothing downloaded


def test_offline_fails_fast_with_advice(tmp_path, monkeypatch):
    monkeypatch.setattr(tfds_source, "network_reachable", lambda *a, **k: False)
    start = time.monotonic()
    with pytest.raises(DataError) as info:
        tfds_source.load_tfds("fashion_mnist", data_dir=str(tmp_path))
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert "\n" not in message  # one paragraph
    for part in [
        "'fashion_mnist'",
        str(tmp_path),
        "network is unreachable",
        "tfds build fashion_mnist",
        "--set data.data_dir=",
        "apt-get install dataset-fashion-mnist",
        "--set data.source=idx",
        "--set data.source=folder --set data.dir=",
    ]:
        assert part in message, part


def test_download_off_says_so(tmp_path, no_probe):
    with pytest.raises(DataError, match=r"downloads are off \(data.download=False\)"):
        tfds_source.load_tfds("mnist", data_dir=str(tmp_path), download=False)


def test_failed_download_is_a_data_error(monkeypatch):
    class Builder:
        def is_prepared(self):
            return False

        def download_and_prepare(self):
            raise OSError("connection reset")

        url_infos = {"https://example.org/x.gz": None}

    monkeypatch.setattr(tfds_source, "_download_is_real", lambda: True)
    monkeypatch.setattr(tfds_source, "network_reachable", lambda host: host == "example.org")
    with pytest.raises(
        DataError, match="example.org .reachable. failed: OSError: connection reset"
    ):
        tfds_source.prepare(Builder(), "mnist", "/d", download=True)


def test_unknown_name_suggests_close_ones(no_probe):
    with pytest.raises(ConfigError, match="Did you mean 'mnist'"):
        tfds_source.load_tfds("mnsit")


def test_unknown_image_key(no_probe):
    with tfds.testing.mock_data(num_examples=1):
        with pytest.raises(ConfigError, match="data.image_key='img'.*Did you mean 'image'"):
            tfds_source.load_tfds("mnist", image_key="img")
        with pytest.raises(ConfigError, match="Expected an Image feature"):
            tfds_source.load_tfds("mnist", image_key="label")


def test_network_reachable_against_a_local_socket(monkeypatch):
    for var in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert tfds_source.network_reachable("127.0.0.1", port, timeout=1)
    assert not tfds_source.network_reachable("127.0.0.1", port, timeout=1)  # closed now
