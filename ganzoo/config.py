"""Experiment config: the schema with defaults, typed `key=value` overrides, validation, lock."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
from collections.abc import Mapping
from typing import Any

import ml_collections

from ganzoo.errors import ConfigError
from ganzoo.registry import closest_names

Config = ml_collections.ConfigDict

NONFINITE_REMEDIES = ("lower_lr", "skip_data", "both", "stop")
JIT_CHOICES = ("auto", "true", "false")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
EVAL_EXTRACTORS = ("auto", "inception", "classifier", "modes")
EVAL_CHECKPOINTS = ("latest", "best")


def data_section() -> dict:
    """What is trained on: the source and where it lives."""
    return dict(
        # tfds | idx (raw MNIST-format files) | folder (own images) | synthetic (ring8, grid25)
        # | auto (IDX files when found on disk, such as Debian's, else TFDS).
        source="tfds",
        name="mnist",  # TFDS name; synthetic benchmark name; IDX dataset name.
        split="train",
        data_dir="",  # TFDS data_dir; '' means TFDS's default.
        # TFDS manual_dir for datasets downloaded by hand (imagenet2012's tar files).
        manual_dir="",
        dir="",  # image folder (source=folder) or folder of IDX files (source=idx/auto).
        image_key="image",
        label_key="label",
        shuffle_buffer=10_000,
        cache=True,
        download=True,  # allow TFDS to download when the network is reachable.
        max_examples=0,  # 0 means all.
        synthetic_size=100_000,  # points drawn for a synthetic 2-D benchmark.
        path="",  # a data file: source=text reads this plain-text corpus (docs/text.md).
        # data.source=tfrecord (docs/scaling.md): shards under data.dir (or data.dir itself
        # as a glob), read deterministically (False: faster when reads stall), this many
        # shards at once (0 = tf.data's choice); label offset -1 for TF-slim's 1-based
        # ImageNet shards.
        tfrecord_pattern="*.tfrecord*",
        tfrecord_deterministic=True,
        tfrecord_cycle_length=0,
        tfrecord_image_key="image/encoded",
        tfrecord_label_key="image/class/label",
        tfrecord_label_offset=0,
    )


def model_section() -> dict:
    """The networks and the objective."""
    return dict(
        arch="dcgan",  # a name in ganzoo.models.MODELS
        latent_dim=100,
        resolution=28,
        channels=1,
        width=64,  # base number of filters (conv) or units (mlp).
        depth=3,  # hidden layers of the MLP models.
        loss="non_saturating",  # a name in ganzoo.losses.LOSSES
        d_steps=1,
        spectral_norm=False,  # SpectralNorm on the discriminator's layers.
        minibatch_std_group=0,  # MinibatchStdDev group size in D (not mlp); 0 = off.
        # Comma-separated sides of feature maps followed by SAGAN self-attention (resnet,
        # stylegan2 D), e.g. "16" or "16,32"; "" = none. A string: JSON keeps its type.
        attention_resolutions="",
        mapping_layers=8,  # layers of the stylegan2 mapping network z -> w.
        # Class-conditional GANs (docs/conditional.md): none | concat | acgan | projection.
        conditioning="none",
        num_classes=0,  # classes of the data's labels when conditioning != none.
        acgan_weight=1.0,  # weight of ACGAN's auxiliary classification loss.
        # InfoGAN (docs/conditional.md) when either is set: category counts of the
        # categorical codes ("10", "10,4"; "" = none), number of continuous codes, and
        # the weight lambda of the mutual-information loss.
        info_categorical="",
        info_continuous=0,
        info_weight=1.0,
    )


def optimizer_section() -> dict:
    """Adam for D and G."""
    return dict(
        d_lr=2e-4,
        g_lr=2e-4,
        beta_1=0.5,
        beta_2=0.999,
        decay_from=1.0,  # fraction of train.steps after which both rates fall linearly to 0; 1 = constant
    )


def train_section() -> dict:
    """The training loop: length, batch, logging, checkpoints, performance and recovery."""
    return dict(
        steps=10_000,
        batch_size=64,
        log_every=100,
        sample_every=1000,
        checkpoint_every=1000,
        keep_checkpoints=3,
        jit_compile="auto",  # auto: XLA on GPU/TPU, off on CPU. Or "true" / "false".
        # Performance options (docs/performance.md). fused_d_pass: one D call on real +
        # fake; auto = when every layer of D acts per example (then exact), or true/false.
        fused_d_pass="auto",
        # G's update reuses the last D step's fakes (same z) instead of a second G forward.
        reuse_fake=False,
        precision="float32",  # float32 | mixed_float16 | mixed_bfloat16
        # default (one device) | mirrored (all local GPUs) | multi_worker (TF_CONFIG) | tpu
        strategy="default",
        tpu="",  # TPU name or grpc:// address for strategy=tpu; "" = the local/env TPU.
        # Seeds plus tf.config.experimental.enable_op_determinism: a resumed run repeats
        # an uninterrupted one exactly (docs/reliability.md).
        deterministic=False,
        # On a NaN/Inf in a loss or gradient: roll back to the last checkpoint, apply the
        # remedy, go on; stop with an error after max_rollbacks.
        nonfinite_remedy="lower_lr",  # lower_lr | skip_data | both | stop
        max_rollbacks=3,
        lr_backoff=0.5,  # lower_lr multiplies both learning rates by this per rollback
    )


def health_section() -> dict:
    """Collapse and instability warnings (docs/reliability.md), checked at every log step."""
    # Collapse and instability warnings (docs/reliability.md), checked at every log step.
    return dict(
        diversity_samples=128,  # fixed-z samples whose mean pairwise distance is tracked
        diversity_warn=0.2,  # warn below this share of the real data's diversity
        d_win_acc=0.99,  # warn when D's accuracy on real and on fake both exceed this
        patience=3,  # ... for this many log steps in a row
    )


def sample_section() -> dict:
    """Sample grids: during training and from --mode=sample."""
    # labels (conditional models): "" or "all" = one grid row per class, or "0,3,3" = rows of
    # those classes; each row has `cols` samples, column j sharing one z.
    # truncation (biggan): fixed-seed samples resample every |z| > truncation; 0 = off.
    return dict(
        num=64,
        seed=0,
        cols=8,
        labels="",
        truncation=0.0,
        # --mode=sample of CycleGAN and image-to-image runs: a folder of images to translate
        # (or to degrade and restore) instead of the data's.
        inputs="",
    )


def stabilizers_section() -> dict:
    """Regularisers and stabilisers, all off by default (docs/stabilizers.md); GAN's kwargs."""
    # Regularisers and stabilisers, all off by default (docs/stabilizers.md); GAN's kwargs.
    return dict(
        penalty="none",  # none | wgan_gp | dragan | r1 (ganzoo.penalties.PENALTIES)
        penalty_weight=10.0,  # lambda (wgan_gp, dragan) or gamma (r1).
        penalty_interval=1,  # lazy regularisation: every k D steps, weighted by k.
        clip_weights=0.0,  # WGAN clipping of D's weights to [-c, c]; 0 = off.
        diff_augment="",  # DiffAugment policy, e.g. "color,translation,cutout".
        ema_decay=0.0,  # EMA of G's weights for sampling/eval/export; 0 = off.
        label_smoothing=0.0,  # one-sided: D's real target 1 - s (cross-entropy losses).
        instance_noise_std=0.0,  # std of Gaussian noise on D inputs at step 0; 0 = off.
        instance_noise_steps=10_000,  # steps over which that std decays linearly to 0.
        pack=1,  # PacGAN: D judges this many examples at once (Lin et al. 2018); 1 = off.
        # ADA (Karras et al. 2020): each transform of ada_policy is applied to every D input
        # with a probability p, adjusted every ada_interval steps so that E[sign(D(real))]
        # approaches ada_target (0.6 in the paper; 0 = off). p can go 0 -> 1 in ada_kimg
        # thousand images: the paper's 500 suits runs of tens of millions of images; 100 lets
        # p settle within the first ~1,600 steps of a 10,000-step batch-64 run.
        ada_target=0.0,
        ada_interval=4,
        ada_kimg=100.0,
        ada_policy="color,translation,cutout",  # DiffAugment's transforms (augment.POLICIES).
    )


def eval_section() -> dict:
    """--mode=eval and evaluation during training (docs/evaluation.md)."""
    return dict(
        every=0,  # evaluate every N training steps (and keep the best); 0 = never.
        at_end=False,  # evaluate once when training reaches train.steps.
        num_samples=10_000,  # generated samples; also the real samples of the reference.
        split="test",  # real split the samples are compared with.
        # auto: the domain classifier for mnist/fashion_mnist, modes for synthetic data,
        # inception otherwise. Or inception | classifier | modes.
        extractor="auto",
        checkpoint="latest",  # what --mode=eval scores: latest | best.
        batch_size=250,  # images generated and embedded at once.
        seed=0,  # seed of the generated samples' z.
        max_features=10_000,  # features kept per side for KID and the k-NN metrics.
        # Local Inception SavedModel folder; '' = $GANZOO_INCEPTION_PATH, else TF-Hub.
        inception_path="",
        # Domain classifiers and real statistics; '' = $GANZOO_CACHE_DIR, else ~/.cache/ganzoo.
        cache_dir="",
        classifier_epochs=3,  # epochs of the domain classifier, when it is trained.
    )


def judge_section() -> dict:
    """Human evaluation, --mode=judge (docs/human_evaluation.md): a local real-vs-fake page."""
    # Human evaluation, --mode=judge (docs/human_evaluation.md): a local real-vs-fake page.
    return dict(
        host="127.0.0.1",  # local only by default; 0.0.0.0 lets other machines judge
        port=8765,  # 0 = pick a free port
        session="default",  # answers go to <first workdir>/human_eval/<session>.jsonl
        num_images=100,  # images in the session's pool (reals and fakes together)
        real_fraction=0.5,  # share of reals in the pool (the rest split over the runs)
        scale=0,  # nearest-neighbour upscaling factor; 0 = the smallest to reach 224 px
        seed=0,  # seed of the fakes' z, the reals drawn and the order shown
        split="test",  # real split shown; falls back to data.split when it is missing
        report=False,  # print (and write report.json) the session's HYPE; no server
        bootstrap=2000,  # bootstrap resamples of the 95% confidence intervals
    )


def edit_section() -> dict:
    """Latent-space editing, --mode=edit (docs/cyclegan_and_editing.md)."""
    return dict(
        op="interpolate",  # --mode=edit: interpolate | direction | invert
        method="both",  # interpolate: lerp | slerp | both
        num=8,  # rows: interpolated pairs, edited samples, or inverted targets
        frames=9,  # interpolate: images per row, endpoints included
        seed=0,
        # direction: from group class_a to class_b (domain-classifier predictions of
        # samples, nearest mode for 2-D data, labels for conditional models); -1 = 0 and 1.
        class_a=-1,
        class_b=-1,
        group_samples=2000,  # samples drawn to estimate each group's mean z
        strengths="0,0.5,1,1.5,2",  # multiples of the direction added per column
        inputs="",  # invert: a folder of target images; '' = eval.split's first `num`
        steps=500,  # invert: Adam steps on z
        lr=0.05,
        restarts=4,  # random starts per target; the best reconstruction is kept
        feature_weight=0.0,  # weight of the domain-classifier feature loss (0 = off)
        latent_reg=0.0,  # weight of |z|^2 / dim, keeping z near the prior
        finetune_steps=0,  # then Adam steps on the generator's weights (0 = off)
        finetune_lr=1e-4,
        label=-1,  # conditional models: the targets' label; -1 = the data's labels
    )


SHARED_SECTIONS = {
    "data": data_section,
    "model": model_section,
    "optimizer": optimizer_section,
    "train": train_section,
    "health": health_section,
    "sample": sample_section,
    "stabilizers": stabilizers_section,
    "eval": eval_section,
    "judge": judge_section,
    "edit": edit_section,
}
# Sections of families outside ganzoo.families.BUILTIN (`register_section`).
_PLUGIN_SECTIONS: dict[str, Any] = {}
# The TFRecord reader's keys lived in the `scaling` section until BigGAN got a family folder.
_LEGACY_DATA_KEYS = (
    "tfrecord_pattern",
    "tfrecord_deterministic",
    "tfrecord_cycle_length",
    "tfrecord_image_key",
    "tfrecord_label_key",
    "tfrecord_label_offset",
)


def register_section(module) -> None:
    """Adds a family's config section: a module (or object) with SECTION, defaults() and
    RUNTIME_KEYS, like ganzoo/families/<name>/config.py."""
    name = module.SECTION
    builtin = {m.SECTION for m in _builtin_sections()}
    if name in SHARED_SECTIONS or name in builtin or name in ("name", "description", "seed"):
        raise ValueError(f"config section {name!r} is ganzoo's own; pick another name.")
    if _PLUGIN_SECTIONS.get(name, module) is not module:
        raise ValueError(f"config section {name!r} is already registered.")
    _PLUGIN_SECTIONS[name] = module


def unregister_section(name: str) -> None:
    """Removes a section added with `register_section` (a plugin's cleanup)."""
    del _PLUGIN_SECTIONS[name]


def section_names() -> set[str]:
    """The top-level keys of `base_config()`, without building it."""
    sections = {m.SECTION for m in family_sections()}
    return {"name", "description", "seed", *SHARED_SECTIONS, *sections}


def family_sections() -> list:
    """The config modules of the built-in families (those with a section) and the registered
    ones, in registration order."""
    return list(_builtin_sections()) + list(_PLUGIN_SECTIONS.values())


@functools.cache
def _builtin_sections() -> list:
    """The config modules of the built-in families (BUILTIN is fixed: looked up once; every
    family_of call checks the config's sections against them)."""
    from ganzoo.families import BUILTIN

    modules = []
    for name in BUILTIN:
        if importlib.util.find_spec(f"ganzoo.families.{name}.config") is not None:
            modules.append(importlib.import_module(f"ganzoo.families.{name}.config"))
    return modules


def base_config() -> Config:
    """Every key an experiment may set, with its default: the shared sections and each
    family's own. Experiments override, never add."""
    c = Config()
    c.name = ""
    c.description = ""
    c.seed = 0
    for name, defaults in SHARED_SECTIONS.items():
        c[name] = Config(defaults())
    for module in family_sections():
        c[module.SECTION] = Config(module.defaults())
    return c


def runtime_keys() -> tuple[str, ...]:
    """Key prefixes of the family sections that only evaluation and sampling read."""
    return tuple(
        f"{m.SECTION}.{key}" for m in family_sections() for key in getattr(m, "RUNTIME_KEYS", ())
    )


def legacy_keys() -> dict[str, str]:
    """Old dotted key -> today's, for keys a family folder renamed (`i2i.task` ->
    `image_to_image.task`): old commands and config.json files still read."""
    out = {f"scaling.{key}": f"data.{key}" for key in _LEGACY_DATA_KEYS}
    for module in family_sections():
        old = getattr(module, "LEGACY_PREFIX", "")
        if old:
            out.update({f"{old}.{k}": f"{module.SECTION}.{k}" for k in module.defaults()})
    return out


def _flat_keys(config: Config, prefix: str = "") -> dict[str, Any]:
    out = {}
    for key, value in config.items():
        path = f"{prefix}{key}"
        if isinstance(value, Config):
            out.update(_flat_keys(value, path + "."))
        else:
            out[path] = value
    return out


def flat_keys(config: Config) -> dict[str, Any]:
    """`{"train.steps": 10000, ...}` for every leaf."""
    return _flat_keys(config)


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def parse_value(key: str, text: str, current: Any) -> Any:
    """Parses a `--set` string into the type of the key's current value."""
    kind = type(current).__name__
    try:
        if isinstance(current, bool):
            low = text.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ValueError
        if isinstance(current, int):
            return int(text)
        if isinstance(current, float):
            return float(text)
        if isinstance(current, (tuple, list)):
            value = json.loads(text) if text.strip().startswith("[") else text.split(",")
            return type(current)(value)
        return text
    except (ValueError, json.JSONDecodeError):
        raise ConfigError(
            f"Received: {key}={text!r}. Expected a value of type {kind} "
            f"(the current value is {current!r})."
        ) from None


def _check_type(key: str, value: Any, current: Any) -> Any:
    if isinstance(current, bool):
        ok = isinstance(value, bool)
    elif isinstance(current, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(current, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    else:
        ok = isinstance(value, type(current))
    if not ok:
        raise ConfigError(
            f"Received: {key}={value!r} ({type(value).__name__}). "
            f"Expected a value of type {type(current).__name__}."
        )
    return value


def apply_overrides(config: Config, overrides: Mapping[str, Any] | None) -> Config:
    """Returns a copy of `config` with dotted-key overrides applied, type-checked.

    String values (from `--set key=value`) are parsed into the key's type; other values must
    already have it. An unknown key raises ConfigError naming the closest valid keys.
    """
    config = Config(config.to_dict())
    leaves = flat_keys(config)
    legacy = legacy_keys() if overrides else {}
    for key, value in (overrides or {}).items():
        key = legacy.get(key, key)
        if key not in leaves:
            close = closest_names(key, leaves)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ConfigError(f"Unknown config key {key!r}.{hint}")
        current = leaves[key]
        if isinstance(value, str) and not isinstance(current, str):
            value = parse_value(key, value, current)
        else:
            value = _check_type(key, value, current)
        node = config
        *parents, leaf = key.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    return config


def parse_set_flags(items: list[str] | None) -> dict[str, str]:
    """`["train.steps=10", ...]` -> `{"train.steps": "10"}`."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(
                f"Received: --set {item!r}. Expected --set key=value, e.g. train.steps=2000."
            )
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


def _positive(config: Config, *keys: str) -> None:
    leaves = flat_keys(config)
    for key in keys:
        if leaves[key] <= 0:
            raise ConfigError(f"Received: {key}={leaves[key]!r}. Expected a positive value.")


def _validate_eval(ev: Config) -> None:
    _choice("eval.extractor", ev.extractor, EVAL_EXTRACTORS)
    _choice("eval.checkpoint", ev.checkpoint, EVAL_CHECKPOINTS)
    if ev.every < 0:
        raise ConfigError(f"Received: eval.every={ev.every}. Expected 0 (off) or a step count.")
    if ev.num_samples < 10:
        raise ConfigError(
            f"Received: eval.num_samples={ev.num_samples}. Expected at least 10 (FID needs "
            "a covariance, precision/recall k+1 neighbours); 10000 or more for reported scores."
        )
    if not ev.split:
        raise ConfigError("Received: eval.split=''. Expected a split name such as test or train.")


POSITIVE_KEYS = (
    "model.latent_dim",
    "model.width",
    "model.d_steps",
    "train.steps",
    "train.batch_size",
    "train.log_every",
    "train.sample_every",
    "train.checkpoint_every",
    "train.keep_checkpoints",
    "sample.num",
    "sample.cols",
    "optimizer.d_lr",
    "optimizer.g_lr",
    "eval.batch_size",
    "eval.max_features",
    "eval.classifier_epochs",
)


def _choice(key: str, value: Any, choices) -> None:
    if value not in choices:
        raise ConfigError(f"Received: {key}={value!r}. Expected one of {', '.join(choices)}.")


def _validate_train(train: Config) -> None:
    _choice("train.nonfinite_remedy", train.nonfinite_remedy, NONFINITE_REMEDIES)
    if not 0 < train.lr_backoff < 1 or train.max_rollbacks < 0:
        raise ConfigError(
            f"Received: train.lr_backoff={train.lr_backoff}, "
            f"train.max_rollbacks={train.max_rollbacks}. Expected a backoff in (0, 1) "
            "and max_rollbacks >= 0."
        )
    for key, choices in (
        ("jit_compile", JIT_CHOICES),
        ("fused_d_pass", JIT_CHOICES),
        ("precision", PRECISIONS),
        ("strategy", STRATEGIES),
    ):
        _choice(f"train.{key}", train[key], choices)


def check_shared(config: Config) -> None:
    """ConfigError for values of the shared sections that types alone don't catch (each
    family checks its own section: `ganzoo.experiment.validate` runs both)."""
    if config.data.source == "folder" and not config.data.dir:
        raise ConfigError(
            "Received: data.dir=''. The image folder experiment needs a folder of images: "
            "--set data.dir=/path/to/images"
        )
    _validate_train(config.train)
    if config.health.patience < 1 or config.health.diversity_samples < 2:
        raise ConfigError(
            f"Received: health.patience={config.health.patience}, "
            f"health.diversity_samples={config.health.diversity_samples}. Expected >= 1 and >= 2."
        )
    _positive(config, *POSITIVE_KEYS)
    if not 0 <= config.optimizer.beta_1 < 1 or not 0 <= config.optimizer.beta_2 < 1:
        raise ConfigError(
            f"Received: optimizer.beta_1={config.optimizer.beta_1}, "
            f"optimizer.beta_2={config.optimizer.beta_2}. Expected values in [0, 1)."
        )
    if not 0 <= config.optimizer.decay_from <= 1:
        raise ConfigError(
            f"Received: optimizer.decay_from={config.optimizer.decay_from}. Expected a fraction "
            "of train.steps in [0, 1] (1 keeps the learning rates constant)."
        )
    _validate_eval(config.eval)


def to_json(config: Config) -> str:
    return json.dumps(config.to_dict(), indent=2, sort_keys=True)


def from_json(text: str) -> Config:
    """A config from its JSON; every key it lacks gets today's default.

    Keys are only ever added with defaults that keep the old behaviour, so a run folder written
    by an older ganzoo reads as the same run.
    """

    def merge(defaults: dict, saved: dict) -> dict:
        out = dict(defaults)
        for key, value in saved.items():
            if isinstance(value, dict) and isinstance(defaults.get(key), dict):
                out[key] = merge(defaults[key], value)
            else:
                out[key] = value
        return out

    config = Config(merge(base_config().to_dict(), upgrade(json.loads(text))))
    return config


def upgrade(saved: dict) -> dict:
    """A config dict with keys renamed since it was written (`legacy_keys`) moved to today's
    names; everything else as it was."""
    saved = {k: dict(v) if isinstance(v, dict) else v for k, v in saved.items()}
    for old, new in legacy_keys().items():
        old_section, old_key = old.split(".")
        section = saved.get(old_section)
        if isinstance(section, dict) and old_key in section:
            new_section, new_key = new.split(".")
            saved.setdefault(new_section, {})[new_key] = section.pop(old_key)
    for old in {key.split(".")[0] for key in legacy_keys()}:
        if saved.get(old) == {}:
            del saved[old]
    return saved
