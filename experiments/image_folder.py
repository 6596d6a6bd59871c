"""DCGAN on a folder of the user's own images (needs --set data.dir=...)."""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment


@register_experiment("image_folder_dcgan")
def image_folder_dcgan():
    """DCGAN on your own images, 64x64x3: --set data.dir=/path/to/images (png/jpg, recursive)."""
    c = base_config()
    c.data.update(source="folder", name="image_folder", dir="")
    c.model.update(arch="dcgan", resolution=64, channels=3, latent_dim=128, width=64)
    c.optimizer.update(d_lr=2e-4, g_lr=2e-4, beta_1=0.5)
    c.train.update(
        steps=20_000, batch_size=64, log_every=100, sample_every=1000, checkpoint_every=1000
    )
    return c
