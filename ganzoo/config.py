"""Experiment config: the schema with defaults, typed `key=value` overrides, validation, lock."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import ml_collections

from ganzoo.errors import ConfigError
from ganzoo.registry import closest_names

Config = ml_collections.ConfigDict

# Audio clips [T, 1] for the speech GANs (docs/speech.md): TFDS audio datasets, a folder of WAV
# files, or spoken digits synthesised with espeak-ng.
AUDIO_SOURCES = ("tfds_audio", "wav_folder", "espeak_digits")
DATA_SOURCES = ("tfds", "idx", "folder", "synthetic", "auto", "text", "tfrecord", *AUDIO_SOURCES)
NONFINITE_REMEDIES = ("lower_lr", "skip_data", "both", "stop")
JIT_CHOICES = ("auto", "true", "false")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
EVAL_EXTRACTORS = ("auto", "inception", "classifier", "modes")
EVAL_CHECKPOINTS = ("latest", "best")


def base_config() -> Config:
    """Every key an experiment may set, with its default. Experiments override, never add."""
    c = Config()
    c.name = ""
    c.description = ""
    c.seed = 0
    c.data = Config(
        dict(
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
        )
    )
    c.model = Config(
        dict(
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
    )
    c.optimizer = Config(dict(d_lr=2e-4, g_lr=2e-4, beta_1=0.5, beta_2=0.999))
    c.train = Config(
        dict(
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
    )
    # Collapse and instability warnings (docs/reliability.md), checked at every log step.
    c.health = Config(
        dict(
            diversity_samples=128,  # fixed-z samples whose mean pairwise distance is tracked
            diversity_warn=0.2,  # warn below this share of the real data's diversity
            d_win_acc=0.99,  # warn when D's accuracy on real and on fake both exceed this
            patience=3,  # ... for this many log steps in a row
        )
    )
    # labels (conditional models): "" or "all" = one grid row per class, or "0,3,3" = rows of
    # those classes; each row has `cols` samples, column j sharing one z.
    # truncation (biggan): fixed-seed samples resample every |z| > truncation; 0 = off.
    c.sample = Config(dict(num=64, seed=0, cols=8, labels="", truncation=0.0))
    # Regularisers and stabilisers, all off by default (docs/stabilizers.md); GAN's kwargs.
    c.stabilizers = Config(
        dict(
            penalty="none",  # none | wgan_gp | dragan | r1 (ganzoo.penalties.PENALTIES)
            penalty_weight=10.0,  # lambda (wgan_gp, dragan) or gamma (r1).
            penalty_interval=1,  # lazy regularisation: every k D steps, weighted by k.
            clip_weights=0.0,  # WGAN clipping of D's weights to [-c, c]; 0 = off.
            diff_augment="",  # DiffAugment policy, e.g. "color,translation,cutout".
            ema_decay=0.0,  # EMA of G's weights for sampling/eval/export; 0 = off.
            label_smoothing=0.0,  # one-sided: D's real target 1 - s (cross-entropy losses).
            instance_noise_std=0.0,  # std of Gaussian noise on D inputs at step 0; 0 = off.
            instance_noise_steps=10_000,  # steps over which that std decays linearly to 0.
        )
    )
    c.eval = Config(
        dict(
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
    )
    # Human evaluation, --mode=judge (docs/human_evaluation.md): a local real-vs-fake page.
    c.judge = Config(
        dict(
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
    )
    # Video GANs (docs/video.md), read when model.arch=mocogan: clips of `frames` frames built
    # from data.name's images bouncing in a resolution^2 canvas, or TFDS moving_mnist's.
    c.video = Config(
        dict(
            frames=16,  # T, frames per clip
            objects=2,  # images moving in each built clip
            object_size=0,  # their side in px; 0 = resolution * 28 / 64 (Moving MNIST's digit)
            min_speed=0.03,  # object speed range, a share of the canvas side per frame
            max_speed=0.06,
            motion_dim=16,  # per-frame motion code (GRU units); model.latent_dim is the content
            motion_noise_dim=8,  # noise fed to the motion GRU at each frame
            frame_d_frames=2,  # frames per clip, drawn at random, that the frame D scores
            frame_d_weight=1.0,  # weight of the frame D's loss beside the video D's
            gif_frame_ms=125,  # display time of one GIF frame
            gif_scale=1,  # GIF pixels per clip pixel (2: twice as large)
        )
    )
    # CycleGAN and latent-space editing (docs/cyclegan_and_editing.md).
    # --mode=sample of CycleGAN and image-to-image runs: a folder of images to translate (or to
    # degrade and restore) instead of the data's.
    c.sample.inputs = ""
    c.cyclegan = Config(
        dict(
            enabled=False,  # train a CycleGAN between domains A and B instead of a z -> x GAN
            # The domains: two classes of the (labelled) dataset, or two image folders.
            domain_a_label=7,
            domain_b_label=9,
            domain_a_dir="",
            domain_b_dir="",
            g_width=32,  # generator filters at full resolution (x2, x4 after downsampling)
            res_blocks=3,  # residual blocks of each generator (the paper: 6 or 9)
            d_width=32,  # PatchGAN filters of the first layer
            cycle_weight=10.0,  # lambda of the cycle-consistency loss
            identity_weight=0.5,  # identity loss weight, times lambda (0 = off)
            direction="a2b",  # what --mode=sample translates from sample.inputs: a2b | b2a
            eval_split="test",  # --mode=eval: translated images of this split ...
            eval_num=1000,  # ... at most this many per domain
        )
    )
    c.edit = Config(
        dict(
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
    )
    # Character-level text GANs, data.source=text (docs/text.md).
    c.text = Config(
        dict(
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
    )
    # Audio clips and WaveGAN (docs/speech.md), read when data.source is an audio source.
    c.audio = Config(
        dict(
            length=16384,  # samples per clip T; wavegan: 16 * 4^k (1024, 4096, 16384, 65536)
            sample_rate=16000,  # Hz; every source is resampled to it
            audio_key="audio",  # the TFDS feature holding the waveform (source tfds_audio)
            # Leading/trailing samples below this share of the clip's peak are trimmed before
            # centre padding/cropping to T; 0 = no trimming.
            silence_threshold=0.01,
            peak_normalize=True,  # scale each clip to a peak of 0.95
            # espeak_digits: voice x speed x pitch variants, each speaking zero..nine; 0 = all.
            espeak_variants=250,
            phase_shuffle=2,  # wavegan D's phase shuffle radius n (samples); 0 = off
            kernel_size=25,  # wavegan's 1-D kernel length
        )
    )
    # Paired image-to-image translation (docs/image_to_image.md): model.arch pix2pix or srgan.
    c.i2i = Config(
        dict(
            task="none",  # none | inpaint | colorize | sr (the degradation G learns to undo)
            mask="center",  # inpaint: center (a centred square) | free (random brush strokes)
            mask_fraction=0.25,  # inpaint: share of the image masked (center: the square's area)
            scale=4,  # sr: the input is the target area-downsampled by this factor
            content_loss="l1",  # l1 (pix2pix) | mse (SRGAN's pixel MSE)
            content_weight=100.0,  # lambda of the content term (pix2pix: 100)
            adv_weight=1.0,  # weight of G's adversarial term (SRGAN: 1e-3)
            unet_depth=0,  # U-Net stride-2 levels; 0 = as many as the resolution halves, <= 4
            dropout=0.5,  # U-Net decoder dropout on the innermost blocks (pix2pix: 0.5)
            d_layers=0,  # PatchGAN stride-2 layers; 0 = 2 below 64 px, else 3
            res_blocks=16,  # SRGAN generator residual blocks (Ledig et al.: 16)
            eval_split="test",  # split restored by --mode=eval and by --mode=sample
            eval_fid=True,  # --mode=eval also computes FID (domain classifier or Inception)
            telea_radius=3,  # neighbourhood of the OpenCV Telea inpainting baseline
        )
    )
    # ImageNet scale (docs/scaling.md): BigGAN's generator and the sharded TFRecord reader.
    c.scaling = Config(
        dict(
            shared_dim=128,  # BigGAN's shared class embedding, input of every block's CBN
            hierarchical=True,  # z split in equal chunks: the linear layer and each G block
            orthogonal_weight=0.0,  # beta of BigGAN's orthogonal regulariser on G (1e-4)
            # data.source=tfrecord: shards under data.dir (or data.dir itself as a glob).
            tfrecord_pattern="*.tfrecord*",
            tfrecord_deterministic=True,  # fixed example order (False: faster when reads stall)
            tfrecord_cycle_length=0,  # shards read at once; 0 = tf.data's choice
            tfrecord_image_key="image/encoded",
            tfrecord_label_key="image/class/label",
            tfrecord_label_offset=0,  # added to labels: -1 for TF-slim's 1-based ImageNet shards
        )
    )
    return c


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
    for key, value in (overrides or {}).items():
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
    for key, choices in (("extractor", EVAL_EXTRACTORS), ("checkpoint", EVAL_CHECKPOINTS)):
        if ev[key] not in choices:
            raise ConfigError(
                f"Received: eval.{key}={ev[key]!r}. Expected one of {', '.join(choices)}."
            )
    if ev.every < 0:
        raise ConfigError(f"Received: eval.every={ev.every}. Expected 0 (off) or a step count.")
    if ev.num_samples < 10:
        raise ConfigError(
            f"Received: eval.num_samples={ev.num_samples}. Expected at least 10 (FID needs "
            "a covariance, precision/recall k+1 neighbours); 10000 or more for reported scores."
        )
    if not ev.split:
        raise ConfigError("Received: eval.split=''. Expected a split name such as test or train.")


def validate(config: Config) -> Config:
    """Checks values that types alone don't catch; returns the config locked."""
    # local: keeps config importable without TF.
    from ganzoo import (
        biggan,
        cyclegan,
        editing,
        losses,
        models,
        speech,
        stabilizers,
        text_lib,
        video_gan,
    )
    from ganzoo.data import paired
    from ganzoo.family import family_of
    from ganzoo.judge import settings as judge_settings

    if config.data.source not in DATA_SOURCES:
        raise ConfigError(
            f"Received: data.source={config.data.source!r}. Expected one of {', '.join(DATA_SOURCES)}."
        )
    if config.data.source == "folder" and not config.data.dir:
        raise ConfigError(
            "Received: data.dir=''. The image folder experiment needs a folder of images: "
            "--set data.dir=/path/to/images"
        )
    if config.train.nonfinite_remedy not in NONFINITE_REMEDIES:
        raise ConfigError(
            f"Received: train.nonfinite_remedy={config.train.nonfinite_remedy!r}. "
            f"Expected one of {', '.join(NONFINITE_REMEDIES)}."
        )
    if not 0 < config.train.lr_backoff < 1 or config.train.max_rollbacks < 0:
        raise ConfigError(
            f"Received: train.lr_backoff={config.train.lr_backoff}, "
            f"train.max_rollbacks={config.train.max_rollbacks}. Expected a backoff in (0, 1) "
            "and max_rollbacks >= 0."
        )
    if config.health.patience < 1 or config.health.diversity_samples < 2:
        raise ConfigError(
            f"Received: health.patience={config.health.patience}, "
            f"health.diversity_samples={config.health.diversity_samples}. Expected >= 1 and >= 2."
        )
    if config.train.jit_compile not in JIT_CHOICES:
        raise ConfigError(
            f"Received: train.jit_compile={config.train.jit_compile!r}. "
            f"Expected one of {', '.join(JIT_CHOICES)}."
        )
    for key, choices in (
        ("fused_d_pass", JIT_CHOICES),
        ("precision", PRECISIONS),
        ("strategy", STRATEGIES),
    ):
        if config.train[key] not in choices:
            raise ConfigError(
                f"Received: train.{key}={config.train[key]!r}. "
                f"Expected one of {', '.join(choices)}."
            )
    losses.LOSSES.get(config.model.loss)
    models.MODELS.get(config.model.arch)
    _positive(
        config,
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
    if not 0 <= config.optimizer.beta_1 < 1 or not 0 <= config.optimizer.beta_2 < 1:
        raise ConfigError(
            f"Received: optimizer.beta_1={config.optimizer.beta_1}, "
            f"optimizer.beta_2={config.optimizer.beta_2}. Expected values in [0, 1)."
        )
    _validate_eval(config.eval)
    family_of(config)  # exactly one family claims the config
    if not config.cyclegan.enabled:  # a CycleGAN's networks are sized by c.cyclegan, not model.arch
        models.check_model_config(config.model)
    # Each model kind and mode checks its own section (in this order: the first error is raised).
    for module in (
        models.conditional,
        stabilizers,
        judge_settings,
        video_gan,
        cyclegan,
        editing,
        text_lib,
        speech,
        paired,
        biggan,
    ):
        module.check_config(config)
    config.lock()
    return config


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

    config = Config(merge(base_config().to_dict(), json.loads(text)))
    return config
