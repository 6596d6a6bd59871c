"""The 2-D mode-collapse benchmarks: 8 Gaussians on a ring, 25 on a grid. No download."""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment


def _mlp_gan(name: str, steps: int):
    c = base_config()
    c.data.update(source="synthetic", name=name, cache=False, shuffle_buffer=10_000)
    c.model.update(arch="mlp", latent_dim=16, width=128, depth=3, loss="non_saturating")
    c.optimizer.update(d_lr=1e-3, g_lr=1e-3, beta_1=0.5, beta_2=0.999)
    c.train.update(
        steps=steps, batch_size=256, log_every=250, sample_every=1000, checkpoint_every=1000
    )
    c.sample.update(num=2500)
    return c


def _pacgan2(c, steps: int):
    # Chosen by measurement (docs/results.md, "ring8 and grid25"): PacGAN's packing of 2
    # (Lin et al. 2018), the minimax loss, and sampling from an EMA of G's weights.
    c.model.loss = "minimax"
    c.stabilizers.update(pack=2, ema_decay=0.99)
    c.train.steps = steps
    return c


@register_experiment("ring8_gan")
def ring8_gan():
    """PacGAN2 on ring8 (8 Gaussians on a circle): minimax loss, EMA of G; covers all 8 modes."""
    return _pacgan2(_mlp_gan("ring8", steps=5_000), steps=8_000)


@register_experiment("ring8_plain_gan")
def ring8_plain_gan():
    """Plain MLP GAN on ring8 (non-saturating loss, no remedy): it partially collapses."""
    return _mlp_gan("ring8", steps=5_000)


@register_experiment("grid25_gan")
def grid25_gan():
    """R1 GAN on grid25 (5x5 Gaussians): lazy R1, EMA of G, lr decay at the end; all 25 modes.

    R1 gamma 1 every 4th D step, EMA 0.99, 15,000 steps whose last quarter decays both
    learning rates linearly to 0, G's update reusing the D step's fakes."""
    # Chosen by measurement (docs/results.md, "ring8 and grid25"): R1 keeps every mode, the EMA
    # and the final lr decay bring samples onto them (benchmarks/results/
    # grid25_lr_decay_2026-12-06.jsonl); lazy R1 and reusing the D step's fakes in the G step
    # pay for the steps.
    c = _mlp_gan("grid25", steps=15_000)
    c.stabilizers.update(penalty="r1", penalty_weight=1.0, penalty_interval=4, ema_decay=0.99)
    c.optimizer.decay_from = 0.75
    c.train.reuse_fake = True
    return c


@register_experiment("grid25_plain_gan")
def grid25_plain_gan():
    """Plain MLP GAN on grid25 (non-saturating loss, no remedy): it partially collapses."""
    return _mlp_gan("grid25", steps=10_000)
