"""A user's own images: a folder searched recursively, checked with PIL, decoded with tf.data.

Labels, when asked for, come from the first-level subfolder names (sorted), as in Keras's
`image_dataset_from_directory`.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import tensorflow as tf
from absl import logging
from PIL import Image

from ganzoo.errors import DataError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
# What tf.io.decode_image can read: a PNG that is really a TIFF would pass PIL and fail in TF.
_DECODABLE_FORMATS = {"PNG", "JPEG", "BMP", "GIF"}
_SHOW = 5


def _is_decodable(path: str) -> bool:
    try:
        with Image.open(path) as image:
            image_format = image.format
            image.verify()  # header and structure only: cheap, no full decode.
    except Exception:  # PIL raises many types (OSError, SyntaxError, ValueError ...).
        return False
    return image_format in _DECODABLE_FORMATS


def find_images(directory: str) -> list[str]:
    """Sorted paths of the readable images under `directory` (recursive, case-insensitive
    extensions). Unreadable files are logged and skipped; none at all raises DataError."""
    if not os.path.isdir(directory):
        raise DataError(
            f"Image folder {directory!r} does not exist or is not a folder. Expected a folder of "
            f"{'/'.join(e[1:] for e in IMAGE_EXTENSIONS)} images: --set data.dir=/path/to/images"
        )
    candidates, others = [], 0
    # followlinks: datasets are often assembled from symlinked class folders.
    for root, dirs, files in os.walk(directory, followlinks=True):
        dirs.sort()  # a stable order: same labels and same shuffles on every machine.
        for name in sorted(files):
            if name.lower().endswith(IMAGE_EXTENSIONS):
                candidates.append(os.path.join(root, name))
            else:
                others += 1
    paths = [p for p in candidates if _is_decodable(p)]
    bad = sorted(set(candidates) - set(paths))
    if bad:
        shown = ", ".join(os.path.relpath(p, directory) for p in bad[:_SHOW])
        more = f" and {len(bad) - _SHOW} more" if len(bad) > _SHOW else ""
        logging.warning(
            "Skipping %d unreadable image file(s) in %s: %s%s.", len(bad), directory, shown, more
        )
    if not paths:
        raise DataError(
            f"No readable image in {directory}: found {len(candidates)} image file(s), "
            f"{len(bad)} unreadable, and {others} other file(s). Expected "
            f"{'/'.join(e[1:] for e in IMAGE_EXTENSIONS)} files, in subfolders if you like."
        )
    return paths


def folder_labels(directory: str, paths: list[str]) -> tuple[list[int], list[str]]:
    """Label of each path (index of its first-level subfolder, sorted) and the class names."""
    relative = [os.path.relpath(p, directory).split(os.sep) for p in paths]
    loose = [os.path.join(*parts) for parts in relative if len(parts) == 1]
    if loose:
        raise DataError(
            f"Labels were asked for, but {len(loose)} image(s) in {directory} lie outside any "
            f"class subfolder (e.g. {', '.join(loose[:_SHOW])}). Expected one subfolder per "
            f"class: {directory}/<class>/<image>."
        )
    class_names = sorted({parts[0] for parts in relative})
    index = {name: i for i, name in enumerate(class_names)}
    return [index[parts[0]] for parts in relative], class_names


def _decode(path: tf.Tensor) -> tf.Tensor:
    # expand_animations=False: a GIF gives its first frame, so every example is [H, W, C].
    image = tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
    return tf.ensure_shape(image, [None, None, None])


def load_image_folder(
    directory: str,
    *,
    with_labels: bool = False,
    prepare: Callable[[tf.Tensor], tf.Tensor] | None = None,
) -> tf.data.Dataset:
    """Decoded images, uint8 [H, W, C] at their own size and channels (C in 1..4), and int32
    labels when `with_labels`. `transforms.to_model_image` brings them to the model's shape;
    pass it as `prepare` to run it in the decoding map (one tf.data map per image, not two:
    14-27% less CPU per image on a cold pass of small files, docs/performance.md)."""
    paths = find_images(directory)
    ds = tf.data.Dataset.from_tensor_slices(paths)

    def load(path: tf.Tensor) -> tf.Tensor:
        image = _decode(path)
        return prepare(image) if prepare is not None else image

    if with_labels:
        labels, _ = folder_labels(directory, paths)
        ds = tf.data.Dataset.zip(
            ds, tf.data.Dataset.from_tensor_slices(tf.constant(labels, tf.int32))
        )
        ds = ds.map(lambda p, y: (load(p), y), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    # PIL's verify() reads headers only: a file truncated after a valid header still fails to
    # decode here, and one bad file must not stop a long training run.
    return ds.ignore_errors(log_warning=True)
