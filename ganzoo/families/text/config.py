"""The `text` config section: character-level text GANs, data.source=text (docs/text.md)."""

SECTION = "text"
RUNTIME_KEYS = ()


def defaults() -> dict:
    return dict(
        seq_len=32,  # characters per sequence (Gulrajani et al. 2017: 32)
        charset="abcdefghijklmnopqrstuvwxyz .,'!?-",  # characters kept, after lowercasing
        vocab="",  # '' = the charset's characters found in the corpus (resolved, saved)
        lowercase=True,
        packing="words",  # words (whole words packed per sequence) | lines (one per line)
        holdout=0.1,  # share of the corpus's documents held out for metrics
        split_seed=0,  # the shuffle of the Debian corpora's documents before the split
        tfds_key="text",  # the Text feature of a TFDS text dataset
        tfds_split="train",  # the TFDS split the corpus is read from
        # Gumbel-softmax generator (model.arch=text_gumbel): straight-through one-hot or
        # relaxed output; temperature tau = max(min, tau0 * exp(-rate * step)).
        gumbel_hard=True,
        gumbel_temperature=1.0,
        gumbel_min_temperature=0.5,
        gumbel_anneal_rate=0.0,
    )
