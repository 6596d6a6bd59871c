"""DCGAN on CIFAR-10, 32x32 colour."""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment


@register_experiment("cifar10_dcgan")
def cifar10_dcgan():
    """DCGAN on CIFAR-10 (TFDS `cifar10`), 32x32x3, non-saturating loss."""
    c = base_config()
    c.data.update(source="tfds", name="cifar10")
    c.model.update(arch="dcgan", resolution=32, channels=3, latent_dim=128, width=64)
    c.optimizer.update(d_lr=2e-4, g_lr=2e-4, beta_1=0.5)
    c.train.update(
        steps=50_000, batch_size=64, log_every=100, sample_every=1000, checkpoint_every=2000
    )
    return c
