"""Class-conditional BigGAN (Brock et al. 2019) on ImageNet: TFDS imagenet_resized 32/64,
imagenet2012 from a manual download (--set data.manual_dir=DIR; resized on the fly to
model.resolution: 128, or 64 with --set model.resolution=64), or an ImageNet-layout folder.

Settings follow the paper's ImageNet models: hinge loss, spectral norm in G and D, Adam
(beta_1 0, beta_2 0.999) with SAGAN's rates halved (D 2e-4, G 5e-5) and two D steps per G
step, shared embedding, hierarchical latent, orthogonal regularisation 1e-4, EMA of G
(0.9999). Batch 256 by default (the paper's 2048 needs a pod: docs/scaling.md).
"""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment

# At their real widths these take seconds per step on a CPU: the 2-step smoke test of every
# experiment (tests/test_experiments.py) builds them at width 4, with all 1000 classes, and
# one D step per G step (tracing dominates its cost; tests/models/test_biggan.py runs a step
# with the real two).
SMOKE = {"model.width": 4, "model.d_steps": 1}


def _biggan(resolution: int, *, latent_dim: int, width: int, attention: str, batch: int = 256):
    c = base_config()
    c.model.update(
        arch="biggan",
        resolution=resolution,
        channels=3,
        latent_dim=latent_dim,
        width=width,
        loss="hinge",
        d_steps=2,
        spectral_norm=True,
        attention_resolutions=attention,
        conditioning="projection",
        num_classes=1000,
    )
    c.optimizer.update(d_lr=2e-4, g_lr=5e-5, beta_1=0.0, beta_2=0.999)
    c.stabilizers.update(ema_decay=0.9999)
    c.biggan.update(shared_dim=128, hierarchical=True, orthogonal_weight=1e-4)
    # 1.28M images do not fit in memory: no cache; a larger shuffle buffer than the default.
    c.data.update(cache=False, shuffle_buffer=20_000)
    c.train.update(
        steps=200_000, batch_size=batch, log_every=100, sample_every=2000, checkpoint_every=2000
    )
    # Training grids: one class per column (labels i mod 1000), 10 classes shown.
    c.sample.update(num=100, cols=10, labels="0,1,2,3,4,5,6,7,8,9")
    return c


@register_experiment("imagenet32_biggan", smoke_overrides=SMOKE)
def imagenet32_biggan():
    """BigGAN on ImageNet 32x32 (TFDS imagenet_resized/32x32), 1000 classes, ch 64, attn 16."""
    c = _biggan(32, latent_dim=128, width=64, attention="16")
    c.data.update(source="tfds", name="imagenet_resized/32x32")
    return c


@register_experiment("imagenet64_biggan", smoke_overrides=SMOKE)
def imagenet64_biggan():
    """BigGAN on ImageNet 64x64 (TFDS imagenet_resized/64x64), 1000 classes, ch 64, attn 32."""
    c = _biggan(64, latent_dim=120, width=64, attention="32")
    c.data.update(source="tfds", name="imagenet_resized/64x64")
    return c


# Smoke test: attention at 32 instead of 64 (a [B, 4096, 4096] attention matrix per call
# dominated its CPU time) and a small diversity sample.
@register_experiment(
    "imagenet2012_biggan128",
    smoke_overrides={**SMOKE, "model.attention_resolutions": "32", "health.diversity_samples": 16},
)
def imagenet2012_biggan128():
    """BigGAN's published ImageNet 128x128 setting (ch 96, batch 2048) on TFDS imagenet2012."""
    c = _biggan(128, latent_dim=120, width=96, attention="64", batch=2048)
    c.data.update(source="tfds", name="imagenet2012")
    # Attention at 64x64 holds 64 MiB of weights per image: evaluate in small batches.
    c.eval.batch_size = 16
    return c


@register_experiment("imagenet_folder_biggan", smoke_overrides=SMOKE)
def imagenet_folder_biggan():
    """BigGAN 64x64 on an ImageNet-layout folder (DIR/<class>/<image>): --set data.dir=DIR."""
    c = _biggan(64, latent_dim=120, width=64, attention="32")
    c.data.update(source="folder", name="image_folder", dir="")
    return c
