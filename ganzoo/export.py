"""Exporting a generator: a SavedModel with a `z -> images` signature, and a `.keras` file."""

from __future__ import annotations

import os
import shutil

import keras
import tensorflow as tf


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
    outputs (such as 2-D points, or audio [batch, T, 1] in [-1, 1]) as they are. It loads with `tf.saved_model.load` alone, no ganzoo.
    Both are written beside the target and renamed into place, so an interrupted export never
    leaves a half-written one.
    """
    os.makedirs(export_dir, exist_ok=True)
    # Image tensors (NHWC, or clips of them) are mapped to [0, 1]; points and audio are not.
    is_image = len(generator.output_shape) >= 4

    archive = keras.export.ExportArchive()
    archive.track(generator)

    def images(out):
        if is_image:
            out = tf.clip_by_value((out + 1.0) * 0.5, 0.0, 1.0)
        return {output_name: tf.cast(out, tf.float32)}

    def serve(z):
        return images(generator(z, training=False))

    def serve_conditional(z, labels):
        message = f"labels must be class indices in [0, {num_classes})"
        checks = [
            tf.debugging.assert_non_negative(labels, message=message),
            tf.debugging.assert_less(labels, num_classes, message=message),
        ]
        with tf.control_dependencies(checks):
            return images(generator([z, tf.identity(labels)], training=False))

    signature = [tf.TensorSpec([None, latent_dim], tf.float32, name="z")]
    if num_classes:
        signature.append(tf.TensorSpec([None], tf.int32, name="labels"))
    archive.add_endpoint(
        name="serving_default",
        fn=serve_conditional if num_classes else serve,
        input_signature=signature,
    )
    saved_model = os.path.join(export_dir, "generator")
    tmp = saved_model + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    archive.write_out(tmp, verbose=False)
    old = saved_model + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(saved_model):
        os.replace(saved_model, old)
    os.replace(tmp, saved_model)
    shutil.rmtree(old, ignore_errors=True)

    keras_path = os.path.join(export_dir, "generator.keras")
    tmp_keras = os.path.join(export_dir, "generator.tmp.keras")
    generator.save(tmp_keras)
    os.replace(tmp_keras, keras_path)
    return {"saved_model": saved_model, "keras": keras_path}
