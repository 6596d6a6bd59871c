"""Reader and writer for the IDX format of the original MNIST files (also Fashion-MNIST's).

Files are validated by content, not by checksum: Debian re-gzips them, so TFDS's checksums differ.
"""

from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

from ganzoo.errors import ConfigError, DataError

# IDX type code -> big-endian dtype, as defined on http://yann.lecun.com/exdb/mnist/.
_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in _DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"

# Roots holding one folder per dataset, like Debian's /usr/share/datasets/fashion-mnist.
SYSTEM_IDX_ROOTS = ("/usr/share/datasets",)
IDX_DIR_ENV = "GANZOO_IDX_DIR"
_SPLIT_PREFIX = {"train": "train", "test": "t10k"}
NUM_CLASSES = 10
IMAGE_SIZE = 28


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise DataError(f"Cannot read IDX file {path}: {e.strerror or e}.") from e
    # Detect gzip by content: a renamed or re-compressed file keeps working.
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(f"IDX file {path} is gzip but cannot be decompressed: {e}.") from e


def read_idx(path: str) -> np.ndarray:
    """The array stored in an IDX file (gzip or plain), in native byte order.

    Layout: 2 zero bytes, a type code, the number of dims, then one big-endian uint32 per dim,
    then exactly prod(dims) big-endian values.
    """
    data = _read_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise DataError(
            f"{path} is not an IDX file: its header is {data[:4].hex(' ') or 'empty'}. "
            f"Expected 00 00, a type code ({', '.join(f'{c:02x}' for c in _DTYPES)}), "
            f"then the number of dimensions."
        )
    dtype, ndim = _DTYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(
            f"IDX file {path} is truncated in its header: expected {header} bytes for "
            f"{ndim} dimensions, found {len(data)}."
        )
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        kind = "truncated" if found < expected else "longer than its header says"
        raise DataError(
            f"IDX file {path} is {kind}: expected {expected} bytes of data for shape {dims} "
            f"({dtype.newbyteorder('=').name}), found {found}."
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    # A copy: writable, native byte order, independent of the decompressed buffer.
    return array.astype(dtype.newbyteorder("="))


def write_idx(path: str, array: np.ndarray) -> None:
    """Writes `array` as an IDX file; gzip-compressed when `path` ends with `.gz`."""
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODES:
        raise DataError(
            f"Received: an array of dtype {array.dtype}. Expected one of "
            f"{', '.join(d.name for d in _CODES)} (the types IDX can store)."
        )
    if array.ndim > 255:
        raise DataError(f"Received: an array with {array.ndim} dimensions. Expected at most 255.")
    header = bytes([0, 0, _CODES[native], array.ndim]) + np.array(array.shape, ">u4").tobytes()
    payload = header + array.astype(native.newbyteorder(">")).tobytes()
    if path.endswith(".gz"):
        payload = gzip.compress(payload)
    with open(path, "wb") as f:
        f.write(payload)


def _split_prefix(split: str) -> str:
    if split not in _SPLIT_PREFIX:
        raise ConfigError(
            f"Received: data.split={split!r} for IDX files. Expected one of "
            f"{', '.join(_SPLIT_PREFIX)}."
        )
    return _SPLIT_PREFIX[split]


def _find_file(directory: str, prefix: str, kind: str, idx: str) -> str | None:
    # The canonical name, plus the dotted one some unzip tools produce (train-images.idx3-ubyte).
    for stem in (f"{prefix}-{kind}-{idx}-ubyte", f"{prefix}-{kind}.{idx}-ubyte"):
        for ext in (".gz", ""):
            path = os.path.join(directory, stem + ext)
            if os.path.isfile(path):
                return path
    return None


def idx_files(directory: str, split: str) -> tuple[str, str] | None:
    """The (images, labels) paths of `split` in `directory`; None when either is missing."""
    prefix = _split_prefix(split)
    images = _find_file(directory, prefix, "images", "idx3")
    labels = _find_file(directory, prefix, "labels", "idx1")
    return (images, labels) if images and labels else None


def load_idx_split(directory: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images uint8 [N, 28, 28] and labels uint8 [N] of an MNIST-style split ("train"/"test")."""
    prefix = _split_prefix(split)
    files = idx_files(directory, split)
    if files is None:
        found = sorted(os.listdir(directory)) if os.path.isdir(directory) else None
        what = "the folder does not exist" if found is None else f"found: {found[:8] or 'nothing'}"
        raise DataError(
            f"No IDX files for split {split!r} in {directory} ({what}). Expected "
            f"{prefix}-images-idx3-ubyte[.gz] and {prefix}-labels-idx1-ubyte[.gz]."
        )
    image_path, label_path = files
    images, labels = read_idx(image_path), read_idx(label_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE,) * 2:
        raise DataError(
            f"Received: {image_path} holds {images.dtype} images of shape {images.shape}. "
            f"Expected uint8 of shape (N, {IMAGE_SIZE}, {IMAGE_SIZE})."
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DataError(
            f"Received: {label_path} holds {labels.dtype} labels of shape {labels.shape}. "
            f"Expected uint8 of shape (N,)."
        )
    if len(images) != len(labels):
        raise DataError(
            f"Image and label counts differ: {image_path} has {len(images)} images, "
            f"{label_path} has {len(labels)} labels. Expected the same number."
        )
    if labels.size and labels.max() >= NUM_CLASSES:
        bad = int(np.argmax(labels >= NUM_CLASSES))
        raise DataError(
            f"Received: label {labels[bad]} at index {bad} in {label_path}. "
            f"Expected labels in 0..{NUM_CLASSES - 1}."
        )
    return images, labels


def idx_search_dirs(name: str) -> list[str]:
    """Folders searched for dataset `name`: each root of $GANZOO_IDX_DIR, then Debian's."""
    roots = [r for r in os.environ.get(IDX_DIR_ENV, "").split(os.pathsep) if r]
    roots += list(SYSTEM_IDX_ROOTS)
    # Debian spells folders with dashes (fashion-mnist), TFDS names with underscores.
    names = dict.fromkeys([name, name.replace("_", "-")])
    return [os.path.join(root, n) for root in roots for n in names]


def find_idx_dir(name: str, split: str | None = None) -> str | None:
    """The first folder holding IDX files of `name` (for `split`, or for any split), else None."""
    splits = [split] if split else list(_SPLIT_PREFIX)
    for directory in idx_search_dirs(name):
        if any(idx_files(directory, s) for s in splits):
            return directory
    return None
