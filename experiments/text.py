"""Character-level text GANs (docs/text.md): WGAN-GP with a softmax G, and a Gumbel-softmax G.

Both train on any plain-text file instead with --set data.path=/path/to/file.txt.
"""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment


def _text_wgan_gp(name: str):
    """Gulrajani et al. (2017)'s language setting, narrower (width 128 instead of 512)."""
    c = base_config()
    c.data.update(source="text", name=name, cache=False, shuffle_buffer=10_000)
    c.model.update(arch="text_resnet", latent_dim=128, width=128, depth=5, loss="wasserstein")
    c.model.d_steps = 10  # the paper's critic iterations per G step
    c.stabilizers.update(penalty="wgan_gp", penalty_weight=10.0)
    c.optimizer.update(d_lr=1e-4, g_lr=1e-4, beta_1=0.5, beta_2=0.9)
    c.train.update(
        steps=20_000, batch_size=64, log_every=100, sample_every=500, checkpoint_every=500
    )
    c.text.update(seq_len=32, packing="words")
    c.sample.num = 32
    c.eval.update(num_samples=5_000)
    return c


@register_experiment("text_chars_wgan_gp")
def text_chars_wgan_gp():
    """Char-level WGAN-GP (Gulrajani et al. 2017), 32 chars, on Debian's fortunes (offline)."""
    return _text_wgan_gp("fortunes")


@register_experiment("text_chars_gumbel")
def text_chars_gumbel():
    """Char-level GAN with a straight-through Gumbel-softmax G (tau 1 -> 0.5), fortunes."""
    c = _text_wgan_gp("fortunes")
    c.model.arch = "text_gumbel"
    c.text.update(
        gumbel_hard=True, gumbel_temperature=1.0, gumbel_min_temperature=0.5,
        gumbel_anneal_rate=3e-4,
    )  # fmt: skip
    return c
