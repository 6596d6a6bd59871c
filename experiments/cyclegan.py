"""CycleGAN (Zhu et al. 2017), unpaired translation: two Fashion-MNIST classes, or two folders."""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment


def _cyclegan(resolution: int, channels: int):
    c = base_config()
    c.model.update(resolution=resolution, channels=channels)
    c.cyclegan.update(enabled=True, cycle_weight=10.0, identity_weight=0.5)
    # The paper's Adam settings: lr 2e-4, beta_1 0.5 (its linear decay is not applied).
    c.optimizer.update(d_lr=2e-4, g_lr=2e-4, beta_1=0.5)
    # Sample grids show G(a) of fixed domain-A images; the paper's batch size is 1.
    c.sample.update(num=64, cols=8)
    return c


@register_experiment("fashion_mnist_cyclegan_sneaker_boot")
def fashion_mnist_cyclegan_sneaker_boot():
    """CycleGAN sneaker (class 7) <-> ankle boot (9) on Fashion-MNIST, 28x28x1, unpaired."""
    c = _cyclegan(28, 1)
    c.data.update(source="auto", name="fashion_mnist")
    # Small enough to train on a CPU in minutes (the paper: 64 filters, 9 blocks, 256x256).
    c.cyclegan.update(domain_a_label=7, domain_b_label=9, g_width=16, res_blocks=3, d_width=16)
    c.train.update(steps=3000, batch_size=8, log_every=50, sample_every=250, checkpoint_every=250)
    return c


@register_experiment("image_folder_cyclegan")
def image_folder_cyclegan():
    """CycleGAN between two image folders, 64x64x3: --set data.dir=ROOT with ROOT/trainA, trainB."""
    c = _cyclegan(64, 3)
    c.data.update(source="folder", name="image_folder", dir="")
    # Relative to data.dir: the layout of the CycleGAN datasets (horse2zebra/trainA ...).
    c.cyclegan.update(domain_a_dir="trainA", domain_b_dir="trainB", g_width=32, res_blocks=6)
    c.train.update(
        steps=20_000, batch_size=4, log_every=100, sample_every=1000, checkpoint_every=1000
    )
    return c
