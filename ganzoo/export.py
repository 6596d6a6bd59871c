"""Exporting a generator: a SavedModel with a `z -> images` signature, and a `.keras` file; and
the two writes every family's export goes through (`write_saved_model`, `save_keras`)."""

from __future__ import annotations

import os

import keras
import tensorflow as tf

from ganzoo.workdir import atomic_path, replace_dir


def write_saved_model(archive: keras.export.ExportArchive, path: str) -> str:
    """Writes `archive` as a SavedModel folder beside `path`, then swaps it into place
    (`ganzoo.workdir.replace_dir`: the previous export stays until the new one is complete).
    Returns `path`."""
    return replace_dir(path, lambda folder: archive.write_out(folder, verbose=False))


def save_keras(model: keras.Model, path: str) -> str:
    """`model.save(path)` (a `.keras` file), written beside the target and renamed into place.
    Returns `path`."""
    # Keras refuses to save to a name that does not end in .keras.
    with atomic_path(path, suffix=".keras") as tmp:
        model.save(tmp)
    return path


def export_generator(
    generator: keras.Model,
    latent_dim: int,
    export_dir: str,
    num_classes: int = 0,
    output_name: str = "images",
) -> dict:
    """Writes `export_dir/generator` (SavedModel) and `export_dir/generator.keras`.

    The SavedModel's `serving_default` takes `z` (float32 [batch, latent_dim]) and, for a
    conditional generator (`num_classes` > 0, inputs [z, labels]), `labels` (int32 [batch],
    each in [0, num_classes), else an InvalidArgumentError); it returns `output_name`
    ("images"): image generators' tanh output mapped to [0, 1] (NHWC); other generators'
    outputs (such as 2-D points, or audio [batch, T, 1] in [-1, 1]) as they are. It loads with
    `tf.saved_model.load` alone, no ganzoo.
    Both are written beside the target and renamed into place, so an interrupted export never
    leaves a half-written one.
    """
    os.makedirs(export_dir, exist_ok=True)
    archive = generator_archive(generator, latent_dim, num_classes, output_name)
    saved_model = write_saved_model(archive, os.path.join(export_dir, "generator"))
    keras_path = save_keras(generator, os.path.join(export_dir, "generator.keras"))
    return {"saved_model": saved_model, "keras": keras_path}


def generator_archive(
    generator: keras.Model, latent_dim: int, num_classes: int = 0, output_name: str = "images"
) -> keras.export.ExportArchive:
    """The ExportArchive of `export_generator`: `generator` tracked, `serving_default` added."""
    archive = keras.export.ExportArchive()
    archive.track(generator)
    signature = [tf.TensorSpec([None, latent_dim], tf.float32, name="z")]
    if num_classes:
        signature.append(tf.TensorSpec([None], tf.int32, name="labels"))
    archive.add_endpoint(
        name="serving_default",
        fn=_serving_function(generator, num_classes, output_name),
        input_signature=signature,
    )
    return archive


def _serving_function(generator: keras.Model, num_classes: int, output_name: str):
    """z -> {output_name: G(z)}, or (z, labels) -> ... with the labels checked in the graph."""
    outputs = _output_function(generator, output_name)

    def serve(z):
        return outputs(generator(z, training=False))

    def serve_conditional(z, labels):
        message = f"labels must be class indices in [0, {num_classes})"
        checks = [
            tf.debugging.assert_non_negative(labels, message=message),
            tf.debugging.assert_less(labels, num_classes, message=message),
        ]
        with tf.control_dependencies(checks):
            return outputs(generator([z, tf.identity(labels)], training=False))

    return serve_conditional if num_classes else serve


def _output_function(generator: keras.Model, output_name: str):
    # Image tensors (NHWC, or clips of them) are mapped to [0, 1]; points and audio are not.
    is_image = len(generator.output_shape) >= 4

    def outputs(out):
        if is_image:
            out = tf.clip_by_value((out + 1.0) * 0.5, 0.0, 1.0)
        return {output_name: tf.cast(out, tf.float32)}

    return outputs
