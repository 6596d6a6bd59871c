"""DCGAN on 28x28 grayscale digits and garments (MNIST, Fashion-MNIST)."""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment


def _dcgan28():
    c = base_config()
    c.model.update(arch="dcgan", resolution=28, channels=1, latent_dim=100, width=64)
    c.optimizer.update(d_lr=2e-4, g_lr=2e-4, beta_1=0.5)
    c.train.update(
        steps=10_000, batch_size=64, log_every=100, sample_every=500, checkpoint_every=1000
    )
    return c


def _fast_step(c):
    # G's update reuses the D step's fakes: one G forward fewer, 1.10x the step rate on CPU, FID
    # within seed noise (docs/performance.md, "Step options"). --set train.reuse_fake=false
    # restores the textbook step (a fresh z for G's update).
    c.train.reuse_fake = True
    return c


@register_experiment("mnist_dcgan")
def mnist_dcgan():
    """DCGAN on MNIST digits (TFDS `mnist`), 28x28x1, non-saturating loss."""
    c = _dcgan28()
    c.data.update(source="tfds", name="mnist")
    return _fast_step(c)


@register_experiment("fashion_mnist_dcgan")
def fashion_mnist_dcgan():
    """DCGAN on Fashion-MNIST: Debian's dataset-fashion-mnist files when installed, else TFDS."""
    c = _dcgan28()
    c.data.update(source="auto", name="fashion_mnist")
    return _fast_step(c)
