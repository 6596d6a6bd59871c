"""CycleGAN's networks (Zhu et al. 2017), sized for 28x28 to 64x64: a ResNet generator and a
PatchGAN discriminator, and the pair models that hold one of each per direction.

The paper's generator is c7s1-64, d128, d256, 9 residual blocks, u128, u64, c7s1-3 with
instance norm and reflection padding; here the widths are `width`, 2 `width`, 4 `width`, the
residual blocks `num_blocks`, and padding is zero ("same") padding (Keras has no reflection
padding layer; at these sizes the border effect is small). Instance norm is
GroupNormalization(groups=-1): one group per channel, per example.
"""

from __future__ import annotations

import keras

from ganzoo.errors import ConfigError

layers = keras.layers
G_AB, G_BA, D_A, D_B = "g_ab", "g_ba", "d_a", "d_b"


def check_shape(resolution: int, channels: int) -> None:
    """Two stride-2 downsamplings must divide the side exactly (28 -> 7, 32 -> 8, 64 -> 16)."""
    if resolution % 4 or resolution < 8 or channels not in (1, 3):
        raise ConfigError(
            f"Received: model.resolution={resolution}, model.channels={channels}. Expected a "
            "resolution that is a multiple of 4 and at least 8 (28, 32, 64 ...) and 1 or 3 "
            "channels."
        )


def _norm(name: str):
    return layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)


def resnet_generator(
    resolution: int, channels: int, width: int = 32, num_blocks: int = 3, name: str = G_AB
) -> keras.Model:
    """images [B, R, R, C] in [-1, 1] -> images [B, R, R, C] in [-1, 1] (tanh)."""
    check_shape(resolution, channels)
    inputs = keras.Input((resolution, resolution, channels), name="images")
    x = layers.Conv2D(width, 7, padding="same", name="c7s1")(inputs)
    x = layers.ReLU()(_norm("c7s1_norm")(x))
    for i, mult in enumerate((2, 4)):
        x = layers.Conv2D(width * mult, 3, strides=2, padding="same", name=f"down{i}")(x)
        x = layers.ReLU()(_norm(f"down{i}_norm")(x))
    for i in range(num_blocks):
        y = layers.Conv2D(width * 4, 3, padding="same", name=f"res{i}_a")(x)
        y = layers.ReLU()(_norm(f"res{i}_a_norm")(y))
        y = layers.Conv2D(width * 4, 3, padding="same", name=f"res{i}_b")(y)
        x = layers.Add()([x, _norm(f"res{i}_b_norm")(y)])
    for i, mult in enumerate((2, 1)):
        x = layers.Conv2DTranspose(width * mult, 3, strides=2, padding="same", name=f"up{i}")(x)
        x = layers.ReLU()(_norm(f"up{i}_norm")(x))
    x = layers.Conv2D(channels, 7, padding="same", name="to_image")(x)
    outputs = layers.Activation("tanh", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=name)


def patch_discriminator(
    resolution: int, channels: int, width: int = 32, name: str = D_A
) -> keras.Model:
    """images [B, R, R, C] -> patch logits [B, R/4, R/4, 1].

    The paper's 70x70 PatchGAN (C64-C128-C256-C512, 4x4 convs, then a 1-channel conv) cut to
    two stride-2 and two stride-1 convs: each logit's receptive field is 34x34 pixels, so at
    28x28 every patch logit sees (nearly) the whole image and at 64x64 a patch of it.
    """
    check_shape(resolution, channels)
    inputs = keras.Input((resolution, resolution, channels), name="images")
    x = layers.Conv2D(width, 4, strides=2, padding="same", name="c0")(inputs)
    x = layers.LeakyReLU(0.2)(x)  # no norm on the first layer, as in the paper
    x = layers.Conv2D(width * 2, 4, strides=2, padding="same", name="c1")(x)
    x = layers.LeakyReLU(0.2)(_norm("c1_norm")(x))
    x = layers.Conv2D(width * 4, 4, padding="same", name="c2")(x)
    x = layers.LeakyReLU(0.2)(_norm("c2_norm")(x))
    x = layers.Conv2D(1, 4, padding="same", name="logits")(x)
    outputs = layers.Activation("linear", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=name)


def pair_model(first: keras.Model, second: keras.Model, name: str) -> keras.Model:
    """[x_a, x_b] -> [first(x_a), second(x_b)]: one Keras model holding both networks, so
    checkpoints, optimizers and `.keras` files see them as one (`get_layer(name)` gives each)."""
    a = keras.Input(first.input_shape[1:], name="domain_a")
    b = keras.Input(second.input_shape[1:], name="domain_b")
    return keras.Model([a, b], [first(a), second(b)], name=name)


def build_cyclegan_models(
    resolution: int,
    channels: int,
    g_width: int = 32,
    num_blocks: int = 3,
    d_width: int = 32,
) -> tuple[keras.Model, keras.Model]:
    """(generators, discriminators): pair models holding G: A -> B ("g_ab") and F: B -> A
    ("g_ba"), and D_A ("d_a", judges domain A) and D_B ("d_b")."""
    if min(g_width, d_width, num_blocks) < 1:
        raise ConfigError(
            f"Received: g_width={g_width}, d_width={d_width}, num_blocks={num_blocks}. "
            "Expected positive integers."
        )
    generators = pair_model(
        resnet_generator(resolution, channels, g_width, num_blocks, G_AB),
        resnet_generator(resolution, channels, g_width, num_blocks, G_BA),
        "cyclegan_generators",
    )
    discriminators = pair_model(
        patch_discriminator(resolution, channels, d_width, D_A),
        patch_discriminator(resolution, channels, d_width, D_B),
        "cyclegan_discriminators",
    )
    return generators, discriminators
