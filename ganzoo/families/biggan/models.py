"""BigGAN generator and projection discriminator (Brock et al. 2019) for 32, 64 and 128 pixels.

G: a shared class embedding e(y); z split into one chunk per block plus one for the first linear
layer (hierarchical latent); each ResBlock-up's two conditional BNs read [e(y), z_i]; SAGAN
self-attention after the block at a chosen side; spectral norm on every G convolution and
linear layer. D: SNGAN/BigGAN ResBlocks-down, self-attention, ReLU, sum pooling, and a
projection head psi(phi) + <embed(y), phi>, all spectrally normalised. Channel multipliers of
`width` (BigGAN's `ch`) follow BigGAN-PyTorch's arch tables.
"""

from __future__ import annotations

import keras
from keras import layers

from ganzoo.errors import ConfigError
from ganzoo.families.biggan.layers import LatentChunks, VectorConditionalBatchNorm
from ganzoo.models.attention import SelfAttention
from ganzoo.models.conditional_layers import OneHot
from ganzoo.models.layers import SpectralNorm
from ganzoo.models.registry import register_model
from ganzoo.models.resnet import GlobalSumPooling2D, _d_block, parse_resolutions

# resolution -> (G's input channels at 4x4, G blocks' output channels, D blocks' (channels,
# downsample)), all as multiples of width (BigGAN-PyTorch's G_arch / D_arch).
ARCHS = {
    32: (4, (4, 4, 4), ((4, True), (4, True), (4, False), (4, False))),
    64: (16, (16, 8, 4, 2), ((1, True), (2, True), (4, True), (8, True), (16, True))),
    128: (
        16,
        (16, 8, 4, 2, 1),
        ((1, True), (2, True), (4, True), (8, True), (16, True), (16, False)),
    ),
}
RESOLUTIONS = tuple(ARCHS)
START = 4
DEFAULT_SHARED_DIM = 128


def generator_sides(resolution: int) -> tuple[int, ...]:
    """Output sides of G's up blocks (8 .. resolution): where G's attention can follow."""
    return tuple(START * 2 ** (i + 1) for i in range(len(ARCHS[resolution][1])))


def discriminator_sides(resolution: int) -> tuple[int, ...]:
    side, out = resolution, []
    for _, down in ARCHS[resolution][2]:
        side //= 2 if down else 1
        out.append(side)
    return tuple(out)


def latent_chunks(latent_dim: int, resolution: int, hierarchical: bool) -> list[int]:
    """Sizes of z's chunks: one for the linear layer and one per block when hierarchical
    (equal, as in BigGAN: 120 = 6 x 20 at 128x128), else the whole z for the linear layer."""
    if not hierarchical:
        return [latent_dim]
    slots = len(ARCHS[resolution][1]) + 1
    if latent_dim % slots:
        raise ConfigError(
            f"Received: model.latent_dim={latent_dim} for a hierarchical BigGAN at "
            f"{resolution}x{resolution}, which splits z into {slots} equal chunks. Expected a "
            f"multiple of {slots} (e.g. {slots * (latent_dim // slots + 1)})."
        )
    return [latent_dim // slots] * slots


def _sn(layer, on: bool = True):
    return SpectralNorm(layer, name=f"{layer.name}_sn") if on else layer


def _conv(filters: int, kernel: int, name: str):
    return _sn(
        layers.Conv2D(filters, kernel, padding="same", kernel_initializer="orthogonal", name=name)
    )


def _g_block(x, condition, filters: int, name: str):
    """BigGAN ResBlock up: CBN-ReLU-up-conv3-CBN-ReLU-conv3 + up-conv1 shortcut."""
    h = VectorConditionalBatchNorm(name=f"{name}_cbn1")([x, condition])
    h = layers.ReLU()(h)
    h = layers.UpSampling2D(2, name=f"{name}_up")(h)
    h = _conv(filters, 3, f"{name}_c1")(h)
    h = VectorConditionalBatchNorm(name=f"{name}_cbn2")([h, condition])
    h = layers.ReLU()(h)
    h = _conv(filters, 3, f"{name}_c2")(h)
    s = layers.UpSampling2D(2, name=f"{name}_sc_up")(x)
    s = _conv(filters, 1, f"{name}_sc")(s)
    return layers.Add(name=name)([h, s])


def generator(
    latent_dim: int = 120,
    num_classes: int = 1000,
    resolution: int = 128,
    channels: int = 3,
    width: int = 96,
    shared_dim: int = DEFAULT_SHARED_DIM,
    hierarchical: bool = True,
    attention_resolutions=(64,),
) -> keras.Model:
    """[z [B, latent_dim], labels [B] int32] -> images [B, R, R, C] in [-1, 1]."""
    start_mult, block_mults, _ = ARCHS[resolution]
    attention = set(parse_resolutions(attention_resolutions))
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    shared = layers.Embedding(num_classes, shared_dim, name="shared_embedding")(labels)
    sizes = latent_chunks(latent_dim, resolution, hierarchical)
    chunks = LatentChunks(sizes, name="z_chunks")(z) if hierarchical else [z]
    first = start_mult * width
    linear = _sn(
        layers.Dense(START * START * first, kernel_initializer="orthogonal", name="linear")
    )
    x = layers.Reshape((START, START, first))(linear(chunks[0]))
    for i, (mult, side) in enumerate(zip(block_mults, generator_sides(resolution), strict=True)):
        if hierarchical:
            condition = layers.Concatenate(name=f"cond{i}")([shared, chunks[i + 1]])
        else:
            condition = shared
        x = _g_block(x, condition, mult * width, f"up{i}")
        if side in attention:
            x = SelfAttention(spectral_norm=True, name=f"attention{side}")(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True, name="out_bn")(x)
    x = layers.ReLU()(x)
    x = _conv(channels, 3, "out_conv")(x)
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model([z, labels], images, name="biggan_generator")


def discriminator(
    num_classes: int = 1000,
    resolution: int = 128,
    channels: int = 3,
    width: int = 96,
    attention_resolutions=(64,),
) -> keras.Model:
    """[images [B, R, R, C], labels [B] int32] -> logits [B, 1]: psi(phi(x)) + <V y, phi(x)>."""
    _, _, blocks = ARCHS[resolution]
    attention = set(parse_resolutions(attention_resolutions))
    images = keras.Input((resolution, resolution, channels), name="images")
    labels = keras.Input((), dtype="int32", name="labels")
    x = images
    for i, ((mult, down), side) in enumerate(
        zip(blocks, discriminator_sides(resolution), strict=True)
    ):
        x = _d_block(x, mult * width, down, first=i == 0, sn=_sn, name=f"down{i}")
        if side in attention:
            x = SelfAttention(spectral_norm=True, name=f"attention{side}")(x)
            attention.discard(side)  # once, after the first block reaching that side
    x = layers.ReLU()(x)
    features = GlobalSumPooling2D(name="sum_pool")(x)
    psi = _sn(layers.Dense(1, kernel_initializer="orthogonal", dtype="float32", name="logits"))
    logits = psi(features)
    embed = _sn(layers.Dense(features.shape[-1], use_bias=False, name="class_embedding"))
    embedding = embed(OneHot(num_classes, name="label_one_hot")(labels))
    projection = layers.Dot(axes=1, name="projection")([embedding, features])
    out = layers.Add(dtype="float32", name="projection_logits")([logits, projection])
    return keras.Model([images, labels], out, name="biggan_discriminator")


def check(model_config) -> None:
    """ConfigError for a model config the BigGAN family cannot build; builds nothing. (The
    latent's split is checked with the config's `biggan.hierarchical` by ganzoo.families.biggan.gan.)"""
    m = model_config
    if m.resolution not in RESOLUTIONS:
        raise ConfigError(
            f"Received: model.resolution={m.resolution}. The biggan models support "
            f"{', '.join(map(str, RESOLUTIONS))}."
        )
    if m.channels < 1:
        raise ConfigError(f"Received: model.channels={m.channels}. Expected >= 1.")
    if m.get("conditioning", "projection") != "projection" or m.get("num_classes", 0) < 2:
        raise ConfigError(
            f"Received: model.conditioning={m.get('conditioning')!r}, model.num_classes="
            f"{m.get('num_classes')} with model.arch='biggan'. Expected conditioning='projection' "
            "and the number of classes (>= 2; 1000 for ImageNet)."
        )
    value = m.get("attention_resolutions", "")
    allowed = set(generator_sides(m.resolution)) | set(discriminator_sides(m.resolution))
    bad = [a for a in parse_resolutions(value) if a not in allowed]
    if bad:
        raise ConfigError(
            f"Received: model.attention_resolutions={value!r} at model.resolution="
            f"{m.resolution}. Expected sides of G's or D's feature maps: {sorted(allowed)}."
        )


def build_models(
    model_config, example_shape, shared_dim: int = DEFAULT_SHARED_DIM, hierarchical: bool = True
) -> tuple[keras.Model, keras.Model]:
    """(G [z, labels] -> images, D [images, labels] -> logits) for `model_config`."""
    m = model_config
    check(m)
    expected = (m.resolution, m.resolution, m.channels)
    if tuple(example_shape) != expected:
        raise ConfigError(
            f"Received: data of shape {tuple(example_shape)}. The biggan models expect "
            f"{expected} (model.resolution, model.resolution, model.channels)."
        )
    attention = parse_resolutions(m.get("attention_resolutions", ""))
    g = generator(
        m.latent_dim,
        m.num_classes,
        m.resolution,
        m.channels,
        m.width,
        shared_dim=shared_dim,
        hierarchical=hierarchical,
        attention_resolutions=[a for a in attention if a in generator_sides(m.resolution)],
    )
    d = discriminator(
        m.num_classes,
        m.resolution,
        m.channels,
        m.width,
        attention_resolutions=[a for a in attention if a in discriminator_sides(m.resolution)],
    )
    return g, d


# The registry's build uses the default shared embedding size and a hierarchical latent;
# build_gan passes the config's `biggan` keys (ganzoo.families.biggan.gan.build_biggan).
register_model("biggan", check, build_models)
