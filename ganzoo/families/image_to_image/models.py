"""The image-to-image families, registered as model.arch "pix2pix" (U-Net + PatchGAN) and
"srgan" (residual sub-pixel generator + strided discriminator), and their builder for a task."""

from __future__ import annotations

import keras

from ganzoo.errors import ConfigError
from ganzoo.families.image_to_image import srgan, unet
from ganzoo.models import patchgan
from ganzoo.models.registry import register_model


def _check_channels(model_config) -> None:
    if model_config.channels not in (1, 3):
        raise ConfigError(f"Received: model.channels={model_config.channels}. Expected 1 or 3.")


def check_pix2pix(model_config) -> None:
    _check_channels(model_config)
    unet.check_depth(model_config.resolution, 0)


def check_srgan(model_config) -> None:
    _check_channels(model_config)


def pix2pix_models(
    input_shape, resolution, channels, width, depth=0, dropout=0.5, d_layers=0
) -> tuple[keras.Model, keras.Model]:
    """(U-Net G: inputs -> images, PatchGAN D: [condition at R x R ++ image] -> patch logits)."""
    g = unet.unet_generator(input_shape, resolution, channels, width, depth, dropout)
    d_channels = input_shape[-1] + channels  # D sees the condition beside the image
    d = patchgan.patchgan_discriminator(resolution, d_channels, width, d_layers)
    return g, d


def srgan_models(
    input_shape, resolution, channels, width, scale=4, res_blocks=16
) -> tuple[keras.Model, keras.Model]:
    """(SRGAN G: low-res inputs -> images, D: images -> logits [B, 1]; D is unconditional)."""
    if input_shape[0] * scale != resolution:
        raise ConfigError(
            f"Received: SRGAN inputs of shape {tuple(input_shape)} for resolution {resolution} "
            f"at scale {scale}. Expected inputs of side resolution / scale."
        )
    g = srgan.srgan_generator(input_shape, channels, scale, width, res_blocks)
    return g, srgan.srgan_discriminator(resolution, channels, width)


def _build_pix2pix(model_config, example_shape):
    # Without a task, a same-shape translation (C -> C); train_lib passes the task's shapes.
    return pix2pix_models(
        tuple(example_shape), model_config.resolution, model_config.channels, model_config.width
    )


def _build_srgan(model_config, example_shape):
    r, c = model_config.resolution, model_config.channels
    if r % 4:
        raise ConfigError(f"Received: model.resolution={r}. SRGAN x4 expects a multiple of 4.")
    return srgan_models((r // 4, r // 4, c), r, c, model_config.width)


def build_task_models(config, input_shape) -> tuple[keras.Model, keras.Model]:
    """G and D of `config.model.arch` for conditioning inputs of `input_shape` (config.image_to_image)."""
    model, image_to_image = config.model, config.image_to_image
    if model.arch == "pix2pix":
        return pix2pix_models(
            input_shape,
            model.resolution,
            model.channels,
            model.width,
            image_to_image.unet_depth,
            image_to_image.dropout,
            image_to_image.d_layers,
        )
    return srgan_models(
        input_shape,
        model.resolution,
        model.channels,
        model.width,
        image_to_image.scale,
        image_to_image.res_blocks,
    )


register_model("pix2pix", check_pix2pix, _build_pix2pix)
register_model("srgan", check_srgan, _build_srgan)
