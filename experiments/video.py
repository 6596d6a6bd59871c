"""Video GANs (MoCoGAN-style, docs/video.md) on moving digits and garments, 64x64, 16 frames."""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment


def _mocogan64():
    c = base_config()
    c.model.update(arch="mocogan", resolution=64, channels=1, latent_dim=64, width=32)
    c.video.update(frames=16, objects=2, motion_dim=16, motion_noise_dim=8)
    c.optimizer.update(d_lr=2e-4, g_lr=2e-4, beta_1=0.5)
    c.train.update(
        steps=20_000, batch_size=32, log_every=100, sample_every=1000, checkpoint_every=1000
    )
    c.sample.update(num=16, cols=4)
    c.health.update(diversity_samples=32)
    # Frame-level FID is over num_samples clips x 16 frames.
    c.eval.update(num_samples=1000, split="test")
    return c


@register_experiment("video_moving_fashion_mnist")
def video_moving_fashion_mnist():
    """MoCoGAN-style video GAN on Moving Fashion-MNIST clips built from Debian's IDX files (offline)."""
    c = _mocogan64()
    c.data.update(source="auto", name="fashion_mnist")
    return c


@register_experiment("video_moving_mnist")
def video_moving_mnist():
    """MoCoGAN-style video GAN on TFDS moving_mnist (first 16 of 20 frames; train test[:90%])."""
    c = _mocogan64()
    c.data.update(source="tfds", name="moving_mnist", split="test[:90%]", shuffle_buffer=1000)
    c.eval.update(split="test[90%:]")
    return c
