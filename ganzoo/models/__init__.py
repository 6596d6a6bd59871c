"""Generator/discriminator families, registered by name: `MODELS.get("dcgan").build(...)`."""

from __future__ import annotations

from ganzoo.models import (  # noqa: F401  (registers the families)
    biggan,
    conditional,
    dcgan,
    image_to_image,  # pix2pix, srgan
    infogan,
    mlp,
    resnet,
    stylegan,
    text_resnet,
    video,
    wavegan,
)
from ganzoo.models.registry import (
    MODELS,
    ModelSpec,
    build_models,
    check_model_config,
    register_model,
)

__all__ = ["MODELS", "ModelSpec", "build_models", "check_model_config", "register_model"]
