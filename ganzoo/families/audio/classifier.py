"""The audio domain classifier: a log-mel-spectrogram CNN trained on a dataset's real labelled
clips (the idea of WaveGAN's SC09 "inception score"). Trained, cached and used as a feature
extractor like the image one (`ganzoo.metrics.classifier`: `train_classifier(builder=...)`,
`DomainClassifier`): the IS formula on its logits, the Fréchet distance on its features.
"""

from __future__ import annotations

import functools
import math

import keras
import tensorflow as tf

from ganzoo.metrics.classifier import FEATURES_KEY, LOGITS_KEY

LOG_OFFSET = 1e-6


def frame_length_for(sample_rate: int) -> int:
    """The STFT window: the power of two nearest 32 ms (512 samples at 16 kHz, 256 at 8 kHz)."""
    return 2 ** round(math.log2(0.032 * sample_rate))


@keras.saving.register_keras_serializable(package="ganzoo")
class LogMelSpectrogram(keras.layers.Layer):
    """audio [B, T, 1] -> log mel spectrogram [B, frames, num_mel_bins, 1].

    S = log(|STFT(x)|^2 M + 1e-6): Hann-windowed frames of `frame_length` samples every
    `frame_length // 4` (tf.signal.stft), power spectrum times the mel matrix M
    (tf.signal.linear_to_mel_weight_matrix, 20 Hz to sample_rate / 2).
    """

    def __init__(self, sample_rate: int = 16000, num_mel_bins: int = 40, **kwargs):
        super().__init__(**kwargs)
        self.sample_rate = int(sample_rate)
        self.num_mel_bins = int(num_mel_bins)
        self.frame_length = frame_length_for(self.sample_rate)
        self.frame_step = self.frame_length // 4
        self.mel = tf.signal.linear_to_mel_weight_matrix(
            self.num_mel_bins,
            self.frame_length // 2 + 1,
            self.sample_rate,
            20.0,
            self.sample_rate / 2,
        )

    def call(self, audio):
        x = tf.squeeze(tf.cast(audio, tf.float32), axis=-1)
        stft = tf.signal.stft(x, self.frame_length, self.frame_step, pad_end=False)
        power = tf.square(tf.abs(stft))
        return tf.math.log(tf.tensordot(power, self.mel, 1) + LOG_OFFSET)[..., None]

    def compute_output_shape(self, input_shape):
        frames = None
        if input_shape[1] is not None:
            frames = 1 + (input_shape[1] - self.frame_length) // self.frame_step
        return (input_shape[0], frames, self.num_mel_bins, 1)

    def get_config(self):
        config = super().get_config()
        config.update(sample_rate=self.sample_rate, num_mel_bins=self.num_mel_bins)
        return config


def build_audio_classifier(
    input_shape: tuple[int, ...],
    num_classes: int,
    sample_rate: int = 16000,
    width: int = 32,
    feature_dim: int = 128,
) -> keras.Model:
    """audio [N, T, 1] in [-1, 1] -> {"features": [N, feature_dim], "logits": [N, classes]}.

    log-mel(40) - batch norm - 3 x (conv3x3(w, 2w, 4w) + ReLU + maxpool 2) - global average
    pool - dense(feature_dim, relu) = features - dropout(0.3) - dense(num_classes) = logits.
    """
    layers = keras.layers
    inputs = keras.Input(tuple(input_shape), name="audio")
    x = LogMelSpectrogram(sample_rate, name="log_mel")(inputs)
    x = layers.BatchNormalization()(x)
    for i in range(3):
        x = layers.Conv2D(width * 2**i, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    features = layers.Dense(feature_dim, activation="relu", name=FEATURES_KEY)(x)
    logits = layers.Dense(num_classes, name=LOGITS_KEY)(layers.Dropout(0.3)(features))
    return keras.Model(inputs, {FEATURES_KEY: features, LOGITS_KEY: logits}, name="classifier")


def builder(sample_rate: int):
    """`build_audio_classifier` at `sample_rate`, as `train_classifier`'s `builder`."""
    return functools.partial(build_audio_classifier, sample_rate=sample_rate)
