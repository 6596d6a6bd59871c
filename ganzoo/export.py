"""Exporting a generator: a SavedModel with a `z -> images` signature, and a `.keras` file."""

from __future__ import annotations

import os
import shutil

import keras
import tensorflow as tf


def export_generator(generator: keras.Model, latent_dim: int, export_dir: str) -> dict:
    """Writes `export_dir/generator` (SavedModel) and `export_dir/generator.keras`.

    The SavedModel's `serving_default` takes `z` (float32 [batch, latent_dim]) and returns
    `images`: image generators' tanh output mapped to [0, 1] (NHWC); other generators' outputs
    (such as 2-D points) as they are. It loads with `tf.saved_model.load` alone, no ganzoo.
    Both are written beside the target and renamed into place, so an interrupted export never
    leaves a half-written one.
    """
    os.makedirs(export_dir, exist_ok=True)
    is_image = len(generator.output_shape) == 4

    archive = keras.export.ExportArchive()
    archive.track(generator)

    def serve(z):
        out = generator(z, training=False)
        if is_image:
            out = tf.clip_by_value((out + 1.0) * 0.5, 0.0, 1.0)
        return {"images": tf.cast(out, tf.float32)}

    archive.add_endpoint(
        name="serving_default",
        fn=serve,
        input_signature=[tf.TensorSpec([None, latent_dim], tf.float32, name="z")],
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
