"""The experiment matrix: every GAN objective on every image dataset, remedies on ring8/grid25.

Built from three small tables (datasets, recipes, 2-D remedies) and one factory, so each
`{dataset}_{recipe}` name is a dataset's base config plus a recipe's overrides; names that an
older module already registers with the same settings (e.g. `fashion_mnist_acgan`) are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from experiments import cifar10, conditional, mnist, synthetic, zoo
from ganzoo.config import Config
from ganzoo.experiment import EXPERIMENTS, register_experiment


@dataclass(frozen=True)
class Recipe:
    """Overrides of one published setting; `paper` and `setting` make the one-line docstring."""

    paper: str
    setting: str
    model: dict = field(default_factory=dict)
    optimizer: dict = field(default_factory=dict)
    stabilizers: dict = field(default_factory=dict)
    sample: dict = field(default_factory=dict)

    def apply(self, c: Config) -> Config:
        for section in ("model", "optimizer", "stabilizers", "sample"):
            c[section].update(**getattr(self, section))
        return c


# Image datasets: (display name, builder of the DCGAN base config).
DATASETS: dict[str, tuple[str, Callable[[], Config]]] = {
    "mnist": ("MNIST", mnist.mnist_dcgan),
    "fashion_mnist": ("Fashion-MNIST", mnist.fashion_mnist_dcgan),
    "cifar10": ("CIFAR-10", cifar10.cifar10_dcgan),
}

_CLASSES = dict(num_classes=10)
_GRID = dict(num=100, cols=10)  # one class per column

RECIPES: dict[str, Recipe] = {
    "wgan": Recipe(
        "WGAN (Arjovsky et al. 2017)",
        "clip 0.01, n_critic 5, Adam 5e-5 (beta_1 0) in place of RMSProp 5e-5",
        model=dict(loss="wasserstein", d_steps=5),
        optimizer=dict(d_lr=5e-5, g_lr=5e-5, beta_1=0.0, beta_2=0.999),
        stabilizers=dict(clip_weights=0.01),
    ),
    "wgan_gp": Recipe(
        "WGAN-GP (Gulrajani et al. 2017)",
        "penalty 10, n_critic 5, Adam 1e-4 (0.5, 0.9)",
        model=dict(loss="wasserstein", d_steps=5),
        optimizer=dict(d_lr=1e-4, g_lr=1e-4, beta_1=0.5, beta_2=0.9),
        stabilizers=dict(penalty="wgan_gp", penalty_weight=10.0),
    ),
    "lsgan": Recipe(
        "LSGAN (Mao et al. 2017)",
        "least-squares loss (a=0, b=c=1), Adam 2e-4 (0.5, 0.999)",
        model=dict(loss="least_squares"),
    ),
    "dragan": Recipe(
        "DRAGAN (Kodali et al. 2017)",
        "non-saturating loss, penalty 10 around perturbed reals, Adam 1e-4 (0.5, 0.9)",
        optimizer=dict(d_lr=1e-4, g_lr=1e-4, beta_1=0.5, beta_2=0.9),
        stabilizers=dict(penalty="dragan", penalty_weight=10.0),
    ),
    "hinge_sngan": Recipe(
        "SNGAN (Miyato et al. 2018)",
        "spectral-norm D, hinge loss, n_dis 1, Adam 2e-4 (0.5, 0.999)",
        model=dict(loss="hinge", spectral_norm=True),
    ),
    "acgan": Recipe(
        "ACGAN (Odena et al. 2017)",
        "auxiliary 10-way classifier on D, weight 1, non-saturating loss",
        model=dict(conditioning="acgan", acgan_weight=1.0, **_CLASSES),
        sample=_GRID,
    ),
    "projection_cgan": Recipe(
        "Projection cGAN (Miyato & Koyama 2018)",
        "projection D with spectral norm, hinge loss, conditional-BN G",
        model=dict(conditioning="projection", loss="hinge", spectral_norm=True, **_CLASSES),
        sample=_GRID,
    ),
}

# 2-D remedies against mode collapse, on the MLP GAN of experiments/synthetic.py (Adam 1e-3
# (0.5, 0.999), batch 256) unless the recipe says otherwise. `ring8_plain_gan`/`grid25_plain_gan` are the
# non-saturating baseline.
REMEDIES: dict[str, Recipe] = {
    "minimax": Recipe(
        "Minimax GAN (Goodfellow et al. 2014)",
        "the original log(1 - D(G(z))) generator loss, no remedy",
        model=dict(loss="minimax"),
    ),
    "wgan_gp": Recipe(
        "WGAN-GP (Gulrajani et al. 2017)",
        "penalty 0.1 as in their toy-data code, n_critic 5, Adam 1e-3 (0.5, 0.9)",
        model=dict(loss="wasserstein", d_steps=5),
        optimizer=dict(beta_2=0.9),
        stabilizers=dict(penalty="wgan_gp", penalty_weight=0.1),
    ),
    "lsgan": Recipe(
        "LSGAN (Mao et al. 2017)", "least-squares loss", model=dict(loss="least_squares")
    ),
    "hinge_sn": Recipe(
        "SNGAN (Miyato et al. 2018)",
        "hinge loss, spectral norm on every D layer",
        model=dict(loss="hinge", spectral_norm=True),
    ),
    "dragan": Recipe(
        "DRAGAN (Kodali et al. 2017)",
        "non-saturating loss, penalty 10 around perturbed reals",
        stabilizers=dict(penalty="dragan", penalty_weight=10.0),
    ),
    "r1": Recipe(
        "R1 (Mescheder et al. 2018)",
        "non-saturating loss, gamma 1 gradient penalty on real data",
        stabilizers=dict(penalty="r1", penalty_weight=1.0),
    ),
}

# 2-D benchmarks: (description, steps), the same budgets as ring8_plain_gan and grid25_plain_gan.
BENCHMARKS_2D: dict[str, tuple[str, int]] = {
    "ring8": ("ring8 (8 Gaussians on a circle)", 5_000),
    "grid25": ("grid25 (5x5 Gaussians)", 10_000),
}


def _register(name: str, doc: str, build: Callable[[], Config]) -> None:
    """Registers `build` as `name` unless that name exists (kept from an older module)."""
    if name in EXPERIMENTS.names():
        return
    build.__doc__ = doc
    build.__name__ = build.__qualname__ = name
    register_experiment(name)(build)


def image_experiment(dataset: str, recipe: str) -> Config:
    """The config of `{dataset}_{recipe}`: the dataset's DCGAN base plus the recipe."""
    c = RECIPES[recipe].apply(DATASETS[dataset][1]())
    # The published updates draw a fresh z for G's step (and the zoo's tables were measured so);
    # only the plain DCGAN experiments default to reusing the D step's fakes.
    c.train.reuse_fake = False
    return c


def synthetic_experiment(benchmark: str, remedy: str) -> Config:
    """The config of `{benchmark}_{remedy}`: the 2-D MLP GAN plus the remedy."""
    return REMEDIES[remedy].apply(synthetic._mlp_gan(benchmark, BENCHMARKS_2D[benchmark][1]))


def _register_matrix() -> None:
    for dataset, (title, _) in DATASETS.items():
        for key, recipe in RECIPES.items():
            doc = f"{recipe.paper}: DCGAN on {title}, {recipe.setting}."
            _register(f"{dataset}_{key}", doc, lambda d=dataset, k=key: image_experiment(d, k))
    for bench, (title, steps) in BENCHMARKS_2D.items():
        for key, remedy in REMEDIES.items():
            doc = f"{remedy.paper}: MLP GAN on {title}, {remedy.setting}, {steps} steps."
            _register(f"{bench}_{key}", doc, lambda b=bench, k=key: synthetic_experiment(b, k))


_register_matrix()


@register_experiment("fashion_mnist_infogan")
def fashion_mnist_infogan():
    """InfoGAN (Chen et al. 2016) on Fashion-MNIST: mnist_infogan's codes, noise and rates."""
    c = conditional.mnist_infogan()
    c.data.update(source="auto", name="fashion_mnist")
    return c


@register_experiment("cifar10_diffaug_sngan")
def cifar10_diffaug_sngan():
    """DiffAugment (Zhao et al. 2020) color,translation,cutout on the SNGAN ResNet, CIFAR-10."""
    c = zoo.cifar10_sngan_resnet()
    c.stabilizers.diff_augment = "color,translation,cutout"
    return c
