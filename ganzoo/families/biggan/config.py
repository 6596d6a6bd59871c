"""The `biggan` config section (docs/scaling.md): BigGAN's generator options.

Run folders and commands before the family folders called it `scaling` (with the TFRecord
reader's keys, now `data.tfrecord_*`); those keys still read (ganzoo.config.LEGACY_KEYS).
"""

SECTION = "biggan"
LEGACY_PREFIX = "scaling"
RUNTIME_KEYS = ()


def defaults() -> dict:
    return dict(
        shared_dim=128,  # BigGAN's shared class embedding, input of every block's CBN
        hierarchical=True,  # z split in equal chunks: the linear layer and each G block
        orthogonal_weight=0.0,  # beta of BigGAN's orthogonal regulariser on G (1e-4)
    )
