"""SRGAN's networks (Ledig et al. 2017): a residual generator with sub-pixel upsampling and a
strided VGG-style discriminator."""

from __future__ import annotations

import math

import keras
import tensorflow as tf
from keras import layers

from ganzoo.errors import ConfigError


@keras.saving.register_keras_serializable(package="ganzoo")
class PixelShuffle(keras.layers.Layer):
    """Sub-pixel convolution's rearrangement (Shi et al. 2016): [B, h, w, C r^2] ->
    [B, h r, w r, C], `tf.nn.depth_to_space` with block size r."""

    def __init__(self, block_size: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.block_size = int(block_size)
        if self.block_size < 2:
            raise ValueError(f"Received: block_size={block_size}. Expected an integer >= 2.")

    def call(self, x):
        return tf.nn.depth_to_space(x, self.block_size)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.block_size
        return (b, None if h is None else h * r, None if w is None else w * r, c // (r * r))

    def get_config(self):
        return {**super().get_config(), "block_size": self.block_size}


def check_scale(scale: int) -> int:
    """The number of x2 sub-pixel stages for `scale` (a power of 2, >= 2)."""
    stages = int(round(math.log2(scale))) if scale >= 2 else 0
    if scale < 2 or 2**stages != scale:
        raise ConfigError(
            f"Received: image_to_image.scale={scale} for SRGAN. Expected a power of 2 (2, 4, 8): the "
            "generator upsamples by x2 sub-pixel stages."
        )
    return stages


def _residual_block(x, width, name):
    y = layers.Conv2D(width, 3, padding="same", name=f"{name}_conv1")(x)
    y = layers.BatchNormalization(name=f"{name}_bn1")(y)
    y = layers.PReLU(shared_axes=[1, 2], name=f"{name}_prelu")(y)
    y = layers.Conv2D(width, 3, padding="same", name=f"{name}_conv2")(y)
    y = layers.BatchNormalization(name=f"{name}_bn2")(y)
    return layers.Add(name=f"{name}_add")([x, y])


def srgan_generator(
    input_shape: tuple[int, int, int],
    out_channels: int,
    scale: int = 4,
    width: int = 64,
    res_blocks: int = 16,
) -> keras.Model:
    """low-resolution images [B, h, w, C_in] in [-1, 1] -> [B, h s, w s, C_out] in [-1, 1].

    conv9x9(width) - PReLU; `res_blocks` residual blocks (conv3-BN-PReLU-conv3-BN + skip);
    conv3-BN plus the long skip; log2(s) stages of conv3(4 width) - PixelShuffle(2) - PReLU;
    conv9x9(C_out) - tanh. Ledig et al. use 16 blocks, width 64, s = 4.
    """
    stages = check_scale(scale)
    inputs = keras.Input(tuple(input_shape), name="inputs")
    x = layers.Conv2D(width, 9, padding="same", name="head")(inputs)
    x = head = layers.PReLU(shared_axes=[1, 2], name="head_prelu")(x)
    for i in range(res_blocks):
        x = _residual_block(x, width, f"res{i}")
    x = layers.Conv2D(width, 3, padding="same", name="body_conv")(x)
    x = layers.BatchNormalization(name="body_bn")(x)
    x = layers.Add(name="long_skip")([head, x])
    for i in range(stages):
        x = layers.Conv2D(4 * width, 3, padding="same", name=f"subpixel{i}_conv")(x)
        x = PixelShuffle(2, name=f"subpixel{i}")(x)
        x = layers.PReLU(shared_axes=[1, 2], name=f"subpixel{i}_prelu")(x)
    x = layers.Conv2D(out_channels, 9, padding="same", name="tail")(x)
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(inputs, images, name="srgan_generator")


def srgan_discriminator(resolution: int, channels: int, width: int = 64) -> keras.Model:
    """images [B, R, R, C] -> logits [B, 1].

    Pairs of 3x3 convolutions (stride 1 then 2) with width doubling per pair, LeakyReLU(0.2),
    batch norm on all but the first; dense(16 width) - LeakyReLU - dense(1). Ledig et al. use
    4 pairs from 64 filters at 96x96; here one pair per halving, as many as the resolution
    allows down to 7x7 or 4x4 (at most 4).
    """
    pairs, size = 0, resolution
    while size % 2 == 0 and size > 7 and pairs < 4:
        size //= 2
        pairs += 1
    images = keras.Input((resolution, resolution, channels), name="images")
    x = layers.Conv2D(width, 3, padding="same", name="conv0")(images)
    x = layers.LeakyReLU(0.2)(x)
    filters = width
    for i in range(max(pairs, 1)):
        for stride in (2,) if i == 0 else (1, 2):
            x = layers.Conv2D(
                filters, 3, strides=stride, padding="same", name=f"conv{i}_s{stride}"
            )(x)
            x = layers.BatchNormalization(name=f"conv{i}_s{stride}_bn")(x)
            x = layers.LeakyReLU(0.2)(x)
        filters = min(filters * 2, width * 8)
    x = layers.Flatten()(x)
    x = layers.Dense(16 * width, name="dense")(x)
    x = layers.LeakyReLU(0.2)(x)
    logits = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name="srgan_discriminator")
