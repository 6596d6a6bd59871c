"""IDX reader/writer: round trips, gzip by content, and a clear DataError for each defect."""

from __future__ import annotations

import gzip
import os

import numpy as np
import pytest

from ganzoo.data import idx
from ganzoo.errors import ConfigError, DataError


@pytest.mark.parametrize("ext", ["", ".gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_write_read_round_trip(tmp_path, ext, dtype):
    array = (np.arange(2 * 3 * 4) - 5).reshape(2, 3, 4).astype(dtype)
    path = str(tmp_path / f"a.idx{ext}")
    idx.write_idx(path, array)
    with open(path, "rb") as f:
        assert (f.read(2) == b"\x1f\x8b") == (ext == ".gz")
    out = idx.read_idx(path)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, array)
    out[0, 0, 0] = 1  # writable


def test_header_layout_is_the_mnist_one(tmp_path):
    path = str(tmp_path / "labels")
    idx.write_idx(path, np.array([7, 2, 1], np.uint8))
    with open(path, "rb") as f:
        assert f.read() == bytes.fromhex("00000801 00000003 070201")


def test_gzip_is_detected_by_content_not_name(tmp_path):
    plain = str(tmp_path / "x")
    idx.write_idx(plain, np.ones((4, 5), np.uint8))
    hidden = str(tmp_path / "x-ubyte")  # gzip data under a plain name, as after a rename
    with open(plain, "rb") as src, open(hidden, "wb") as dst:
        dst.write(gzip.compress(src.read()))
    np.testing.assert_array_equal(idx.read_idx(hidden), np.ones((4, 5), np.uint8))


def _raw(tmp_path, data: bytes, name: str = "f") -> str:
    path = str(tmp_path / name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_bad_magic(tmp_path):
    path = _raw(tmp_path, b"\x01\x02\x08\x01" + b"\0" * 8)
    with pytest.raises(DataError, match=r"not an IDX file.*01 02 08 01.*Expected 00 00"):
        idx.read_idx(path)
    with pytest.raises(DataError, match="not an IDX file"):
        idx.read_idx(_raw(tmp_path, b"\x00\x00\x42\x01\x00\x00\x00\x01\x07", "code"))
    with pytest.raises(DataError, match="empty"):
        idx.read_idx(_raw(tmp_path, b"", "empty"))


def test_truncated_payload_names_file_and_sizes(tmp_path):
    path = str(tmp_path / "t.gz")
    idx.write_idx(path, np.zeros((3, 28, 28), np.uint8))
    data = gzip.decompress(open(path, "rb").read())
    cut = _raw(tmp_path, gzip.compress(data[:-10]), "cut.gz")
    with pytest.raises(DataError, match=r"cut\.gz is truncated: expected 2352 bytes .* found 2342"):
        idx.read_idx(cut)
    extra = _raw(tmp_path, data + b"\0", "extra")
    with pytest.raises(DataError, match=r"extra is longer than its header says: expected 2352"):
        idx.read_idx(extra)
    header = _raw(tmp_path, data[:9], "header")
    with pytest.raises(DataError, match="truncated in its header: expected 16 bytes"):
        idx.read_idx(header)


def test_truncated_gzip_stream(tmp_path):
    data = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x04abcd")
    with pytest.raises(DataError, match="gzip but cannot be decompressed"):
        idx.read_idx(_raw(tmp_path, data[:-6]))


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="Cannot read IDX file"):
        idx.read_idx(str(tmp_path / "nope"))


def test_load_split_gz_and_plain(idx_dir):
    images, labels = idx.load_idx_split(idx_dir, "train")
    assert images.shape == (20, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (20,) and labels.dtype == np.uint8
    images, labels = idx.load_idx_split(idx_dir, "test")  # plain, not gzip
    assert images.shape == (10, 28, 28)
    np.testing.assert_array_equal(labels, np.arange(10))


def test_dotted_file_names_are_found(tmp_path):
    idx.write_idx(str(tmp_path / "train-images.idx3-ubyte"), np.zeros((2, 28, 28), np.uint8))
    idx.write_idx(str(tmp_path / "train-labels.idx1-ubyte"), np.zeros(2, np.uint8))
    assert idx.load_idx_split(str(tmp_path), "train")[0].shape == (2, 28, 28)


def test_label_out_of_range(idx_dir):
    idx.write_idx(
        os.path.join(idx_dir, "t10k-labels-idx1-ubyte"), np.array([1] * 9 + [12], np.uint8)
    )
    with pytest.raises(DataError, match=r"label 12 at index 9 .*Expected labels in 0\.\.9"):
        idx.load_idx_split(idx_dir, "test")


def test_count_mismatch(idx_dir):
    idx.write_idx(os.path.join(idx_dir, "t10k-labels-idx1-ubyte"), np.zeros(9, np.uint8))
    with pytest.raises(DataError, match="has 10 images, .* has 9 labels"):
        idx.load_idx_split(idx_dir, "test")


def test_wrong_image_shape(idx_dir):
    idx.write_idx(os.path.join(idx_dir, "t10k-images-idx3-ubyte"), np.zeros((10, 32, 32), np.uint8))
    with pytest.raises(
        DataError, match=r"shape \(10, 32, 32\)\. Expected uint8 of shape \(N, 28, 28\)"
    ):
        idx.load_idx_split(idx_dir, "test")


def test_missing_split_files_say_what_is_expected(tmp_path):
    (tmp_path / "readme.txt").write_text("hi")
    with pytest.raises(
        DataError, match=r"found: \['readme.txt'\].*train-images-idx3-ubyte\[\.gz\]"
    ):
        idx.load_idx_split(str(tmp_path), "train")
    with pytest.raises(DataError, match="does not exist"):
        idx.load_idx_split(str(tmp_path / "nope"), "train")
    with pytest.raises(ConfigError, match="Expected one of train, test"):
        idx.load_idx_split(str(tmp_path), "validation")


def test_write_rejects_types_idx_cannot_store(tmp_path):
    with pytest.raises(DataError, match="dtype int64"):
        idx.write_idx(str(tmp_path / "x"), np.zeros(3, np.int64))


def test_find_idx_dir_searches_env_then_system(
    tmp_path, no_system_idx, monkeypatch, write_idx_split
):
    assert idx.find_idx_dir("fashion_mnist") is None
    system = tmp_path / "system"
    (system / "fashion-mnist").mkdir(parents=True)  # Debian's dashed spelling
    write_idx_split(str(system / "fashion-mnist"), "train", 3)
    monkeypatch.setattr(idx, "SYSTEM_IDX_ROOTS", (str(system),))
    assert idx.find_idx_dir("fashion_mnist") == str(system / "fashion-mnist")
    assert idx.find_idx_dir("fashion_mnist", "test") is None  # only train is there
    assert idx.find_idx_dir("mnist") is None

    env = tmp_path / "env"
    (env / "fashion_mnist").mkdir(parents=True)
    write_idx_split(str(env / "fashion_mnist"), "test", 3)
    monkeypatch.setenv(idx.IDX_DIR_ENV, str(env))
    assert idx.find_idx_dir("fashion_mnist") == str(env / "fashion_mnist")
    assert idx.find_idx_dir("fashion_mnist", "train") == str(system / "fashion-mnist")
