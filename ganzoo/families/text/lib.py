"""Text runs (data.source=text): config checks, models, training samples, sample mode, export.

The vocabulary is resolved when a run is first built (`TextFamily.resolve`: it reads the
corpus) and saved with the run (`text.vocab` in config.json), so a run folder decodes its
samples without the corpus; validating a config reads no corpus.
"""

from __future__ import annotations

import math
import os

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import ConfigError
from ganzoo.export import save_keras, write_saved_model
from ganzoo.families.text import data as text_data
from ganzoo.families.text import models as text_resnet
from ganzoo.training.callbacks import TrainingMonitor
from ganzoo.workdir import atomic_save_npy, atomic_write_text

is_text = text_data.is_text


def check_config(config) -> None:
    """Validation of text runs (called by ganzoo.experiment.validate); reads no corpus."""
    arch = config.model.arch
    if not is_text(config):
        if arch in text_resnet.TEXT_ARCHS:
            raise ConfigError(
                f"Received: model.arch={arch!r} with data.source={config.data.source!r}. "
                "Expected data.source=text (character sequences)."
            )
        return
    if arch not in text_resnet.TEXT_ARCHS:
        raise ConfigError(
            f"Received: model.arch={arch!r} with data.source='text'. Expected one of "
            f"{', '.join(text_resnet.TEXT_ARCHS)}."
        )
    if config.stabilizers.diff_augment:
        raise ConfigError(
            f"Received: stabilizers.diff_augment={config.stabilizers.diff_augment!r} with "
            "data.source='text'. Expected '' (DiffAugment transforms images)."
        )
    t = config.text
    if t.gumbel_temperature <= 0 or t.gumbel_min_temperature <= 0 or t.gumbel_anneal_rate < 0:
        raise ConfigError(
            f"Received: text.gumbel_temperature={t.gumbel_temperature}, "
            f"text.gumbel_min_temperature={t.gumbel_min_temperature}, "
            f"text.gumbel_anneal_rate={t.gumbel_anneal_rate}. Expected temperatures > 0 and a "
            "rate >= 0."
        )
    text_data.check_text_config(config)


def with_vocab(config):
    """`config` with text.vocab resolved from the corpus when it is empty (locked as given)."""
    if config.text.vocab:
        return config
    from ganzoo.config import Config

    resolved = Config(config.to_dict())
    resolved.text.vocab = text_data.resolve_vocab(config)
    if config.is_locked:
        resolved.lock()
    return resolved


def build_text_models(config, example_shape):
    """(G, D) of a text run, the Gumbel-softmax options from `config.text`."""
    t = config.text
    return text_resnet.build_text_models(
        config.model, example_shape, t.gumbel_temperature, t.gumbel_hard
    )


def gumbel_temperature(step, initial: float, minimum: float, rate: float) -> float:
    """tau(step) = max(minimum, initial * exp(-rate * step)) (Jang et al. 2017's schedule)."""
    return max(minimum, initial * math.exp(-rate * float(step)))


def gumbel_layers(model: keras.Model) -> list:
    return [
        layer
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if isinstance(layer, text_resnet.GumbelSoftmax)
    ]


class TextMonitor(TrainingMonitor):
    """TrainingMonitor for text: samples are decoded strings (samples/step_XXXXXX.txt and the
    TensorBoard text summary `samples`), and the Gumbel temperature follows its schedule."""

    def on_train_batch_begin(self, batch, logs=None):
        t = self.config.text
        if self.config.model.arch != "text_gumbel" or not t.gumbel_anneal_rate:
            return
        tau = gumbel_temperature(
            self._step(), t.gumbel_temperature, t.gumbel_min_temperature, t.gumbel_anneal_rate
        )
        for model in (self.model.generator, self.model.ema_generator):
            for layer in gumbel_layers(model) if model is not None else []:
                layer.temperature.assign(tau)

    def write_samples(self, step: int) -> str:
        texts = text_data.decode(self.fixed_samples(self.config.sample.num), self.config.text.vocab)
        path = os.path.join(self.workdir.samples_dir, f"step_{step:06d}.txt")
        write_lines(path, texts)
        with self.writer.as_default(step=step):
            tf.summary.text("samples", tf.constant(markdown_rows(texts)))
            if self.config.model.arch == "text_gumbel":
                layers = gumbel_layers(self.model.generator)
                tf.summary.scalar("train/gumbel_temperature", float(layers[0].temperature))
        self.writer.flush()
        return path


def markdown_rows(texts) -> list[str]:
    # TensorBoard renders text as Markdown: code spans keep runs of spaces and punctuation.
    return ["`" + t.replace("`", "'") + "`" for t in texts]


def write_lines(path: str, texts) -> None:
    """One text per line, the trailing padding kept (every line is seq_len characters)."""
    atomic_write_text(path, "".join(t + "\n" for t in texts))


def write_samples(gan, config, step: int, directory: str, num: int, seed: int) -> dict:
    """samples/sample_step*_seed*_n*.txt (decoded) and .npy (int indices [num, L])."""
    probabilities = gan.generate(num, seed=seed)
    indices = probabilities.argmax(axis=-1).astype(np.int32)
    stem = os.path.join(directory, f"sample_step{step:06d}_seed{seed}_n{num}")
    write_lines(stem + ".txt", text_data.decode(indices, config.text.vocab))
    atomic_save_npy(stem + ".npy", indices)
    return {"txt": stem + ".txt", "npy": stem + ".npy", "step": step, "num": num, "seed": seed}


def export_text_generator(generator: keras.Model, latent_dim: int, vocab: str, export_dir: str):
    """Writes export_dir/generator (SavedModel) and export_dir/generator.keras.

    `serving_default(z float32 [B, latent_dim])` returns `indices` (int32 [B, L], argmax per
    position), `text` (string [B], the decoded sequences, seq_len characters each, padded with
    spaces) and `probabilities` (float32 [B, L, V], G's output). It loads with
    `tf.saved_model.load` alone; export_dir/vocab.txt holds the vocabulary (index i = the i-th
    character). Written beside the target and renamed into place.
    """
    os.makedirs(export_dir, exist_ok=True)
    archive = keras.export.ExportArchive()
    archive.track(generator)
    table = tf.constant(list(vocab))

    def serve(z):
        probabilities = tf.cast(generator(z, training=False), tf.float32)
        indices = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
        text = tf.strings.reduce_join(tf.gather(table, indices), axis=-1)
        return {"indices": indices, "text": text, "probabilities": probabilities}

    archive.add_endpoint(
        name="serving_default",
        fn=serve,
        input_signature=[tf.TensorSpec([None, latent_dim], tf.float32, name="z")],
    )
    saved_model = write_saved_model(archive, os.path.join(export_dir, "generator"))
    keras_path = save_keras(generator, os.path.join(export_dir, "generator.keras"))
    vocab_path = atomic_write_text(os.path.join(export_dir, "vocab.txt"), vocab)
    return {"saved_model": saved_model, "keras": keras_path, "vocab": vocab_path}
