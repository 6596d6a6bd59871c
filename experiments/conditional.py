"""Class-conditional GANs (concat cGAN, ACGAN, projection) and InfoGAN (docs/conditional.md)."""

from experiments.mnist import _dcgan28
from experiments.synthetic import _mlp_gan
from ganzoo.experiment import register_experiment


def _fashion(conditioning: str):
    c = _dcgan28()
    c.data.update(source="auto", name="fashion_mnist")
    c.model.update(conditioning=conditioning, num_classes=10)
    # Training grids: 10 columns, one class each (labels i mod 10); --mode=sample: one row each.
    c.sample.update(num=100, cols=10)
    return c


@register_experiment("fashion_mnist_cgan")
def fashion_mnist_cgan():
    """Concatenation cGAN (Mirza & Osindero 2014), DCGAN-sized, on Fashion-MNIST's 10 classes."""
    return _fashion("concat")


@register_experiment("fashion_mnist_acgan")
def fashion_mnist_acgan():
    """ACGAN (Odena et al. 2017): DCGAN-sized, auxiliary classifier on D, Fashion-MNIST."""
    c = _fashion("acgan")
    c.model.acgan_weight = 1.0
    return c


@register_experiment("fashion_mnist_projection")
def fashion_mnist_projection():
    """Projection D (Miyato & Koyama 2018), spectral norm, hinge; conditional-BN DCGAN G."""
    c = _fashion("projection")
    c.model.update(loss="hinge", spectral_norm=True)
    return c


@register_experiment("mnist_infogan")
def mnist_infogan():
    """InfoGAN (Chen et al. 2016) on MNIST: one 10-way and two continuous codes, 62-d noise."""
    c = _dcgan28()
    c.data.update(source="tfds", name="mnist")
    c.model.update(latent_dim=62, info_categorical="10", info_continuous=2, info_weight=1.0)
    c.optimizer.update(d_lr=2e-4, g_lr=1e-3)  # the paper's MNIST learning rates
    c.sample.update(num=100, cols=10)
    return c


@register_experiment("ring8_cgan")
def ring8_cgan():
    """Concatenation cGAN on ring8, label = mode index: G(z, k) should land on mode k."""
    c = _mlp_gan("ring8", steps=5_000)
    c.model.update(conditioning="concat", num_classes=8)
    return c
