"""Generator/discriminator architectures, registered by name: `MODELS.get("dcgan").build(...)`."""

from __future__ import annotations

from ganzoo.models import (  # noqa: F401  (registers the generic architectures)
    dcgan,
    mlp,
    resnet,
    stylegan,
)
from ganzoo.models.registry import (
    MODELS,
    ModelSpec,
    build_models,
    check_model_config,
    register_model,
)

__all__ = ["MODELS", "ModelSpec", "build_models", "check_model_config", "register_model"]
