"""TFDS datasets by name, with a quick network probe so an offline machine fails in seconds.

TFDS retries a failing download for minutes; here an unprepared dataset is only downloaded after
a ~3 s TCP connect to its download host succeeds, and otherwise a DataError says how to provide it.
"""

from __future__ import annotations

import socket
import threading
import urllib.parse
import urllib.request

import tensorflow as tf
import tensorflow_datasets as tfds

from ganzoo.errors import ConfigError, DataError
from ganzoo.registry import closest_names

PROBE_TIMEOUT_S = 3.0
# Where TFDS's own files live; used when a builder's download URLs cannot be read.
DEFAULT_DOWNLOAD_HOST = "storage.googleapis.com"
# Datasets that also ship as raw IDX files (Debian packages Fashion-MNIST).
_IDX_NAMES = ("mnist", "fashion_mnist")


def network_reachable(host: str, port: int = 443, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Whether a TCP connection to host:port (or to the HTTPS proxy, when one is set) opens
    within `timeout` seconds, DNS lookup included."""
    proxy = urllib.request.getproxies().get("https")
    if proxy:
        parsed = urllib.parse.urlsplit(proxy if "//" in proxy else f"//{proxy}")
        host, port = parsed.hostname or host, parsed.port or 80
    result = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            pass

    # A thread bounds the DNS lookup too, which socket timeouts do not cover.
    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(result)


def download_host(builder: tfds.core.DatasetBuilder) -> str:
    """The host a builder downloads from (the first URL of its checksums file), else GCS."""
    try:
        urls = list(builder.url_infos or {})
    except Exception:  # url_infos reads package resources; any failure just means "unknown".
        urls = []
    host = urllib.parse.urlsplit(urls[0]).hostname if urls else None
    return host or DEFAULT_DOWNLOAD_HOST


def _download_is_real() -> bool:
    # Under tfds.testing.mock_data (or any patch) download_and_prepare is replaced by a no-op;
    # then nothing must be probed or fetched.
    fn = tfds.core.DatasetBuilder.download_and_prepare
    return getattr(fn, "__module__", "") == "tensorflow_datasets.core.dataset_builder"


def dataset_builder(name: str, data_dir: str) -> tfds.core.DatasetBuilder:
    """`tfds.builder(name)` reading `data_dir` (TFDS's default when empty); an unknown name
    becomes a ConfigError naming the closest registered ones."""
    try:
        return tfds.builder(name, data_dir=data_dir or None)
    except tfds.core.registered.DatasetNotFoundError:
        known = tfds.list_builders(with_community_datasets=False)
        base = name.split("/")[0].split(":")[0]
        close = closest_names(base, known)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ConfigError(
            f"Unknown TFDS dataset {name!r}.{hint} See tfds.list_builders() for all names."
        ) from None


def unavailable_message(name: str, data_dir: str, tried: str, manual: bool = False) -> str:
    """One paragraph: what was tried, and every way to provide the data offline. `manual`: the
    dataset is prepared from files the user downloads by hand (TFDS's manual_dir)."""
    where = data_dir or f"{tfds.core.constants.DATA_DIR} (TFDS's default)"
    ways = []
    if manual:
        files = (
            " (ILSVRC2012_img_train.tar and ILSVRC2012_img_val.tar from image-net.org)"
            if name.split("/")[0].split(":")[0] == "imagenet2012"
            else ""
        )
        ways.append(
            f"download the files TFDS's instructions for {name!r} name{files} into DIR, then "
            "--set data.manual_dir=DIR (prepared once into data_dir, then read from there)"
        )
    ways += [
        f"prepare it once with network (`tfds build {name}`, or run once online) and copy the "
        f"data dir here, then --set data.data_dir=DIR",
    ]
    if name == "fashion_mnist":
        ways.append("`apt-get install dataset-fashion-mnist`, then --set data.source=idx (or auto)")
    if name in _IDX_NAMES:
        ways.append(
            f"put the four {name} IDX files in DIR, then --set data.source=idx --set data.dir=DIR"
        )
    ways.append("train on your own images: --set data.source=folder --set data.dir=/path/to/images")
    return (
        f"TFDS dataset {name!r} is not prepared in data_dir {where}, and {tried}. "
        f"To provide it: {'; or '.join(ways)}."
    )


def prepare(
    builder: tfds.core.DatasetBuilder,
    name: str,
    data_dir: str,
    download: bool,
    manual_dir: str = "",
) -> None:
    """Makes sure `builder` is prepared, downloading only when allowed and the network is up;
    a dataset with manual download instructions is prepared from `manual_dir`, offline."""
    if builder.is_prepared() or not _download_is_real():
        return
    if getattr(builder, "MANUAL_DOWNLOAD_INSTRUCTIONS", None):
        _prepare_manual(builder, name, data_dir, manual_dir)
        return
    if not download:
        raise DataError(
            unavailable_message(name, data_dir, "downloads are off (data.download=False)")
        )
    host = download_host(builder)
    if not network_reachable(host):
        raise DataError(
            unavailable_message(
                name,
                data_dir,
                f"the network is unreachable ({host} did not answer within {PROBE_TIMEOUT_S:g} s)",
            )
        )
    try:
        builder.download_and_prepare()
    except Exception as e:  # TFDS fails in many ways (HTTP, checksums, missing modules).
        tried = f"the download from {host} (reachable) failed: {type(e).__name__}: {e}"
        raise DataError(unavailable_message(name, data_dir, tried)) from e


def _prepare_manual(builder, name: str, data_dir: str, manual_dir: str) -> None:
    if not manual_dir:
        tried = "it is prepared from files downloaded by hand, but data.manual_dir is empty"
        raise DataError(unavailable_message(name, data_dir, tried, manual=True))
    if not tf.io.gfile.isdir(manual_dir):
        tried = f"data.manual_dir={manual_dir!r} is not a folder"
        raise DataError(unavailable_message(name, data_dir, tried, manual=True))
    config = tfds.download.DownloadConfig(manual_dir=manual_dir)
    try:
        builder.download_and_prepare(download_config=config)
    except Exception as e:  # missing or partial tar files, disk full, ...
        tried = f"preparing it from data.manual_dir={manual_dir!r} failed: {type(e).__name__}: {e}"
        raise DataError(unavailable_message(name, data_dir, tried, manual=True)) from e


def named_feature(
    builder: tfds.core.DatasetBuilder, key: str, setting: str
) -> tfds.features.FeatureConnector:
    """Feature `key` of `builder`; a ConfigError naming `setting` (the config key that chose it),
    the closest keys and all of them when the dataset has no such feature."""
    features = builder.info.features
    if key not in features:
        keys = list(features.keys())
        close = closest_names(key, keys)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ConfigError(
            f"Received: {setting}={key!r}, which TFDS dataset {builder.name!r} does not have."
            f"{hint} Its features: {', '.join(keys)}."
        )
    return features[key]


def typed_feature(
    builder: tfds.core.DatasetBuilder, name: str, key: str, setting: str, kind: type
) -> tfds.features.FeatureConnector:
    """Feature `key` of `builder` (`setting` names the config key), which must be a `kind`
    (tfds.features.Image, Audio, Text ...); ConfigError otherwise."""
    feature = named_feature(builder, key, setting)
    if not isinstance(feature, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise ConfigError(
            f"Received: {setting}={key!r}, a {type(feature).__name__} feature of {name!r}. "
            f"Expected {article} {kind.__name__} feature."
        )
    return feature


def read_split(
    builder: tfds.core.DatasetBuilder, name: str, split: str, setting: str, **as_dataset_kwargs
) -> tf.data.Dataset:
    """`builder.as_dataset(split=split, ...)`; an unknown split (TFDS raises ValueError or
    KeyError) becomes a ConfigError naming `setting` and the dataset's splits."""
    try:
        return builder.as_dataset(split=split, **as_dataset_kwargs)
    except (ValueError, KeyError) as e:
        splits = ", ".join(builder.info.splits) or "unknown"
        raise ConfigError(
            f"Received: {setting}={split!r} for TFDS dataset {name!r} ({e}). Its splits: {splits}."
        ) from e


def load_tfds(
    name: str,
    *,
    split: str = "train",
    data_dir: str = "",
    image_key: str = "image",
    label_key: str = "label",
    download: bool = True,
    with_labels: bool = False,
    seed: int = 0,
    manual_dir: str = "",
) -> tf.data.Dataset:
    """Images [H, W, C] as stored (uint8 for most datasets), plus int32 labels when
    `with_labels`. Unknown names or keys raise ConfigError; missing data raises DataError."""
    builder = dataset_builder(name, data_dir)
    typed_feature(builder, name, image_key, "data.image_key", tfds.features.Image)
    if with_labels:
        named_feature(builder, label_key, "data.label_key")
    prepare(builder, name, data_dir, download, manual_dir)
    ds = read_split(
        builder,
        name,
        split,
        "data.split",
        shuffle_files=True,
        read_config=tfds.ReadConfig(shuffle_seed=seed),
    )
    if with_labels:
        return ds.map(
            lambda ex: (ex[image_key], tf.cast(ex[label_key], tf.int32)),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return ds.map(lambda ex: ex[image_key], num_parallel_calls=tf.data.AUTOTUNE)
