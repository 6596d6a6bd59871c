"""The architecture zoo on CIFAR-10 32x32: SNGAN ResNet, SAGAN (ResNet + attention), StyleGAN2."""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment


def _cifar10(arch: str, **model):
    c = base_config()
    c.data.update(source="tfds", name="cifar10")
    c.model.update(arch=arch, resolution=32, channels=3, latent_dim=128, width=128)
    c.model.update(**model)
    # SNGAN's schedule: 50k generator updates at batch 64 (its linear lr decay is not used).
    c.train.update(
        steps=50_000, batch_size=64, log_every=100, sample_every=1000, checkpoint_every=2000
    )
    return c


@register_experiment("cifar10_sngan_resnet")
def cifar10_sngan_resnet():
    """SNGAN ResNet (Miyato et al. 2018) on CIFAR-10: spectral-norm D, hinge loss, n_dis=5."""
    c = _cifar10("resnet", spectral_norm=True, loss="hinge", d_steps=5)
    # pfnet-research/sngan_projection configs/sn_cifar10_unconditional.yml
    c.optimizer.update(d_lr=2e-4, g_lr=2e-4, beta_1=0.0, beta_2=0.9)
    return c


@register_experiment("cifar10_sagan")
def cifar10_sagan():
    """SAGAN (Zhang et al. 2019) on CIFAR-10: the SNGAN ResNet with self-attention at 16x16."""
    c = _cifar10("resnet", spectral_norm=True, loss="hinge", attention_resolutions="16")
    # SAGAN's two time-scale update rule: D 4e-4, G 1e-4, one D step per G step.
    c.optimizer.update(d_lr=4e-4, g_lr=1e-4, beta_1=0.0, beta_2=0.9)
    return c


@register_experiment("cifar10_stylegan2")
def cifar10_stylegan2():
    """StyleGAN2-like G (Karras et al. 2020) with a ResNet D on CIFAR-10, R1 and EMA."""
    c = _cifar10("stylegan2", latent_dim=512, mapping_layers=2, loss="non_saturating")
    # StyleGAN2-ADA's "cifar" config: Adam(0.0025, 0, 0.99), gamma 0.01, 2 mapping layers,
    # lazy R1 every 16 steps. D here is the (not equalized-lr) SNGAN ResNet, so it keeps
    # SNGAN's 2e-4.
    c.optimizer.update(d_lr=2e-4, g_lr=2.5e-3, beta_1=0.0, beta_2=0.99)
    c.stabilizers.update(penalty="r1", penalty_weight=0.01, penalty_interval=16, ema_decay=0.999)
    return c
