"""ResNet generator and discriminator (SNGAN, Miyato et al. 2018) for 28x28, 32x32 and 64x64.

Optional self-attention (SAGAN) at chosen resolutions: `model.attention_resolutions`.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from ganzoo.errors import ConfigError
from ganzoo.models.attention import SelfAttention
from ganzoo.models.layers import MinibatchStdDev, SpectralNorm
from ganzoo.models.registry import register_model

# Image side -> G's first feature-map side (28 = 7 * 2**2 for MNIST-sized data).
START_SIDES = {28: 7, 32: 4, 64: 4}
RESOLUTIONS = tuple(START_SIDES)
# SNGAN's initialisation: Glorot uniform with gain sqrt(2) in the residual branches (ReLU),
# plain Glorot uniform for the 1x1 shortcuts, the linear layers and G's output convolution.
_INIT = "glorot_uniform"


def _res_init():
    return keras.initializers.VarianceScaling(scale=2.0, mode="fan_avg", distribution="uniform")


@keras.saving.register_keras_serializable(package="ganzoo")
class GlobalSumPooling2D(layers.Layer):
    """[B, H, W, C] -> [B, C]: the sum over positions (SNGAN's D; a mean would scale by 1/HW)."""

    def call(self, inputs):
        return ops.sum(inputs, axis=(1, 2))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])


def check_resolution(resolution: int) -> None:
    if resolution not in RESOLUTIONS:
        raise ConfigError(
            f"Received: model.resolution={resolution}. The resnet and stylegan2 models support "
            f"{', '.join(map(str, RESOLUTIONS))}."
        )


def parse_resolutions(value) -> tuple[int, ...]:
    """`model.attention_resolutions` ("16,32", "" for none) as sorted ints; the model builders
    also take a tuple or list of ints."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    out = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        try:
            out.append(int(text))
        except ValueError:
            raise ConfigError(
                f"Received: model.attention_resolutions={value!r}. Expected feature-map "
                "sides such as 16 or 16,32."
            ) from None
    return tuple(sorted(set(out)))


def generator_resolutions(resolution: int) -> tuple[int, ...]:
    """Sides of G's up blocks' outputs (start*2 .. resolution), where attention can follow."""
    side, out = START_SIDES[resolution], []
    while side < resolution:
        side *= 2
        out.append(side)
    return tuple(out)


def g_channels(resolution: int, width: int) -> list[int]:
    """Output channels of G's up blocks: 2*width each, width for the one producing 64x64."""
    return [2 * width if side <= 32 else width for side in generator_resolutions(resolution)]


def d_channels(resolution: int, width: int) -> list[tuple[int, bool]]:
    """(channels, downsample) of D's blocks: at 28 and 32 SNGAN's [w down, w down, w, w]; at
    64 one more down block of width/2 first (on the full-resolution input)."""
    blocks = [(width, True), (width, True), (width, False), (width, False)]
    if resolution == 64:
        blocks.insert(0, (max(1, width // 2), True))
    return blocks


def discriminator_resolutions(resolution: int) -> tuple[int, ...]:
    """Sides of D's down blocks' outputs, where attention can follow."""
    downs = sum(down for _, down in d_channels(resolution, 1))
    return tuple(resolution // 2**k for k in range(1, downs + 1))


def check_attention(model_config, *, generator: bool = True) -> tuple[int, ...]:
    value = model_config.get("attention_resolutions", "")
    resolutions = parse_resolutions(value)
    r = model_config.resolution
    allowed = set(discriminator_resolutions(r))
    if generator:
        allowed |= set(generator_resolutions(r))
    bad = [a for a in resolutions if a not in allowed]
    if bad:
        where = "G or D" if generator else "D"
        raise ConfigError(
            f"Received: model.attention_resolutions={value!r} at model.resolution={r}. "
            f"Expected sides of {where}'s feature maps: {sorted(allowed)}."
        )
    return resolutions


def check(model_config) -> None:
    check_resolution(model_config.resolution)
    if model_config.channels < 1:
        raise ConfigError(f"Received: model.channels={model_config.channels}. Expected >= 1.")
    check_attention(model_config)


def _g_block(x, filters: int, name: str):
    """BN-ReLU-up-conv3x3-BN-ReLU-conv3x3 + up-conv1x1 shortcut (nearest-neighbour up)."""
    h = layers.BatchNormalization(momentum=0.9, epsilon=2e-5, name=f"{name}_bn1")(x)
    h = layers.ReLU()(h)
    h = layers.UpSampling2D(2, name=f"{name}_up")(h)
    h = layers.Conv2D(
        filters, 3, padding="same", kernel_initializer=_res_init(), name=f"{name}_c1"
    )(h)
    h = layers.BatchNormalization(momentum=0.9, epsilon=2e-5, name=f"{name}_bn2")(h)
    h = layers.ReLU()(h)
    h = layers.Conv2D(
        filters, 3, padding="same", kernel_initializer=_res_init(), name=f"{name}_c2"
    )(h)
    s = layers.UpSampling2D(2, name=f"{name}_sc_up")(x)
    s = layers.Conv2D(filters, 1, kernel_initializer=_INIT, name=f"{name}_sc")(s)
    return layers.Add(name=name)([h, s])


def generator(
    latent_dim: int,
    resolution: int = 32,
    channels: int = 3,
    width: int = 128,
    attention_resolutions=(),
) -> keras.Model:
    """z [B, latent_dim] -> images [B, R, R, C] in [-1, 1] (tanh).

    Linear to 4x4x(2*width) (7x7 for 28x28), then one up block per doubling (2*width channels; width for the
    block producing 64x64), BN-ReLU-conv3x3-tanh. width=128 at 32x32 is SNGAN's CIFAR G (256
    channels). A `SelfAttention` follows the block whose output side is in
    `attention_resolutions`.
    """
    check_resolution(resolution)
    attention = set(parse_resolutions(attention_resolutions))
    filters, start = g_channels(resolution, width), START_SIDES[resolution]
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(start * start * filters[0], kernel_initializer=_INIT, name="project")(z)
    x = layers.Reshape((start, start, filters[0]))(x)
    for i, (f, side) in enumerate(zip(filters, generator_resolutions(resolution), strict=True)):
        x = _g_block(x, f, name=f"up{i}")
        if side in attention:
            x = SelfAttention(name=f"attention{side}")(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=2e-5, name="out_bn")(x)
    x = layers.ReLU()(x)
    x = layers.Conv2D(channels, 3, padding="same", kernel_initializer=_INIT, name="out_conv")(x)
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(z, images, name="resnet_generator")


def _d_block(x, filters: int, downsample: bool, first: bool, sn, name: str):
    """SNGAN's D blocks. `first` (the "optimized" block, on the images): conv-ReLU-conv-pool +
    pool-conv1x1. Others: ReLU-conv-ReLU-conv[-pool] + conv1x1[-pool] when the shape changes."""

    def conv(f, k, init, suffix):
        return sn(
            layers.Conv2D(f, k, padding="same", kernel_initializer=init, name=f"{name}_{suffix}")
        )

    h = x if first else layers.ReLU()(x)
    h = conv(filters, 3, _res_init(), "c1")(h)
    h = layers.ReLU()(h)
    h = conv(filters, 3, _res_init(), "c2")(h)
    if downsample:
        h = layers.AveragePooling2D(2, name=f"{name}_pool")(h)
    s = x
    if first:
        s = layers.AveragePooling2D(2, name=f"{name}_sc_pool")(s)
        s = conv(filters, 1, _INIT, "sc")(s)
    elif downsample or x.shape[-1] != filters:
        s = conv(filters, 1, _INIT, "sc")(s)
        if downsample:
            s = layers.AveragePooling2D(2, name=f"{name}_sc_pool")(s)
    return layers.Add(name=name)([h, s])


def discriminator(
    resolution: int = 32,
    channels: int = 3,
    width: int = 128,
    spectral_norm: bool = True,
    attention_resolutions=(),
    minibatch_std_group: int = 0,
) -> keras.Model:
    """images [B, R, R, C] -> logits [B, 1].

    SNGAN's D: an optimized down block, a down block, two plain blocks (width channels each;
    at 64x64 a width/2 down block comes first), ReLU, global sum pooling, linear (no bias).
    No batch norm, so penalties stay per-sample. `spectral_norm` wraps every convolution and
    the linear layer (SNGAN); a `SelfAttention` follows the first block whose output side is
    in `attention_resolutions`; `minibatch_std_group` > 0 puts a `MinibatchStdDev` before the
    last block.
    """
    check_resolution(resolution)
    attention = set(parse_resolutions(attention_resolutions))

    def sn(layer):
        return SpectralNorm(layer, name=f"{layer.name}_sn") if spectral_norm else layer

    images = keras.Input((resolution, resolution, channels), name="images")
    x, side = images, resolution
    blocks = d_channels(resolution, width)
    for i, (f, down) in enumerate(blocks):
        if minibatch_std_group and i == len(blocks) - 1:
            x = MinibatchStdDev(minibatch_std_group, name="minibatch_std")(x)
        x = _d_block(x, f, down, first=i == 0, sn=sn, name=f"down{i}" if down else f"block{i}")
        if down:
            side //= 2
            if side in attention:
                x = SelfAttention(spectral_norm=spectral_norm, name=f"attention{side}")(x)
    x = layers.ReLU()(x)
    x = GlobalSumPooling2D(name="sum_pool")(x)
    dense = layers.Dense(
        1, use_bias=False, kernel_initializer=_INIT, dtype="float32", name="logits"
    )
    logits = sn(dense)(x)
    return keras.Model(images, logits, name="resnet_discriminator")


def check_example_shape(model_config, example_shape, family: str) -> None:
    expected = (model_config.resolution, model_config.resolution, model_config.channels)
    if tuple(example_shape) != expected:
        raise ConfigError(
            f"Received: data of shape {tuple(example_shape)}. The {family} models expect "
            f"{expected} (model.resolution, model.resolution, model.channels)."
        )


def build(model_config, example_shape) -> tuple[keras.Model, keras.Model]:
    check_example_shape(model_config, example_shape, "resnet")
    attention = model_config.get("attention_resolutions", "")
    g = generator(
        model_config.latent_dim,
        model_config.resolution,
        model_config.channels,
        model_config.width,
        attention_resolutions=attention,
    )
    d = discriminator(
        model_config.resolution,
        model_config.channels,
        model_config.width,
        spectral_norm=model_config.get("spectral_norm", True),
        attention_resolutions=attention,
        minibatch_std_group=model_config.get("minibatch_std_group", 0),
    )
    return g, d


register_model("resnet", check, build)
