"""The built-in model families, one folder each (`ganzoo.family.Family` is their interface).

Each folder holds what only that family uses: `family.py` (its hooks, registered with
`register_family`), `config.py` (its config section, when it has one) and its GAN, networks,
data, metrics and evaluator. Adding a family is its folder and its name below; a family
defined elsewhere registers with `ganzoo.register_family` (and `ganzoo.config.register_section`).
This module imports nothing: `ganzoo.config` reads BUILTIN without loading TensorFlow.
"""

BUILTIN = (
    "image",
    "conditional",
    "infogan",
    "biggan",
    "image_to_image",
    "cyclegan",
    "text",
    "audio",
    "video",
)
