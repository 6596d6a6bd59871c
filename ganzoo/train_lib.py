"""config -> (dataset, GAN, callbacks) -> model.fit; resume; sample; export."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

import keras
import numpy as np
import tensorflow as tf

from ganzoo.checkpoint import RunCheckpoint
from ganzoo.config import Config
from ganzoo.data.fit_options import without_autotune_model
from ganzoo.errors import Terminated, TrainingError
from ganzoo.family import LoadedRun, family_of
from ganzoo.gan import GAN
from ganzoo.training import distribute as distribute_lib
from ganzoo.training import lr_schedule, run_lock
from ganzoo.training import precision as precision_lib
from ganzoo.training import summary as summary_lib
from ganzoo.training.callbacks import reference_points
from ganzoo.training.eval_callback import eval_callback
from ganzoo.workdir import Workdir


def build_dataset(config: Config):
    """The training tf.data pipeline of `config` (batched, shuffled, repeated), as its family
    trains on it: image (or point) batches; (x, int32 labels) for a conditional model; (a, b)
    batches of two unpaired domains for a CycleGAN; (targets, inputs) image pairs for an
    image-to-image task."""
    return family_of(config).training_dataset(config)


def build_gan(config: Config, strategy=None) -> GAN:
    """A compiled GAN for `config`, ready for `fit`. Needs no data: shapes come from the config.

    Models and optimizers are built under `strategy.scope()` (default: `train.strategy`'s) and
    with `train.precision`'s dtype policy, which is restored afterwards.
    """
    strategy = strategy or distribute_lib.get_strategy(config.train.strategy, config.train.tpu)
    if strategy.num_replicas_in_sync > 1:  # the global batch must split evenly
        distribute_lib.global_batch_note(strategy, config.train.batch_size)
    with strategy.scope(), precision_lib.policy_scope(config.train.precision):
        return _build_gan(config)


def _build_gan(config: Config) -> GAN:
    keras.utils.set_random_seed(config.seed)
    common = dict(
        loss=config.model.loss,
        d_steps=config.model.d_steps,
        seed=config.seed,
        fused_d_pass=config.train.fused_d_pass,
        reuse_fakes=config.train.reuse_fake,
        **config.stabilizers.to_dict(),  # the section's keys are GAN's keyword arguments
    )
    gan = family_of(config).build_gan(config, common)
    opt, precision, steps = config.optimizer, config.train.precision, config.train.steps

    def adam(lr, updates_per_step):
        rate = lr_schedule.learning_rate(lr, steps * updates_per_step, opt.decay_from)
        optimizer = keras.optimizers.Adam(rate, beta_1=opt.beta_1, beta_2=opt.beta_2)
        return precision_lib.wrap_optimizer(optimizer, precision)

    gan.compile(
        d_optimizer=adam(opt.d_lr, config.model.d_steps),
        g_optimizer=adam(opt.g_lr, 1),
        jit_compile=config.train.jit_compile,
    )
    return gan


def _restored_run(
    config: Config, workdir: Workdir, required: bool, stream=None
) -> tuple[GAN, RunCheckpoint]:
    """A GAN for `config` restored from the newest readable checkpoint of `workdir`; newer,
    damaged ones are moved aside when this process holds the folder (run_lock.writer)."""
    strategy = distribute_lib.get_strategy(config.train.strategy, config.train.tpu)
    gan = build_gan(config, strategy)
    with strategy.scope():  # every worker restores the chief's latest checkpoint
        ckpt = RunCheckpoint(
            gan,
            workdir.checkpoint_dir,
            config.train.keep_checkpoints,
            chief=distribute_lib.is_chief(strategy),
        )
        ckpt.restore_latest(required, set_aside=run_lock.held(workdir.path), stream=stream)
    if config.train.nonfinite_remedy in ("lower_lr", "both"):  # the checkpoint's backoffs
        backoff = config.train.lr_backoff ** int(ckpt.rollbacks.numpy())
        for opt in (gan.d_optimizer, gan.g_optimizer):
            lr_schedule.set_schedule_scale(opt, backoff)
    return gan, ckpt


def enable_determinism(seed: int) -> None:
    """Seeds Python, NumPy and TF, and makes TF's ops deterministic (slower on some kernels)."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def _real_sample(dataset, num: int) -> np.ndarray | None:
    """A few real examples for the diversity baseline, from an iterator of their own."""
    batch = next(iter(dataset.unbatch().take(num).batch(num)), None)
    if isinstance(batch, (tuple, list)):
        batch = batch[0]
    return None if batch is None else keras.ops.convert_to_numpy(batch)


def train(config: Config, workdir: str, stream=None) -> GAN:
    """Trains `config` in `workdir`, resuming from its newest readable checkpoint (a damaged
    newer one is moved aside); returns the GAN. The run folder is held for the run: a second
    writer stops at once with a WorkdirError (ganzoo.training.run_lock).

    A run already at `train.steps` is not retrained. Ctrl-C saves a checkpoint first. A NaN/Inf
    in a loss or gradient rolls the run back to its last checkpoint with `train.nonfinite_remedy`,
    at most `train.max_rollbacks` times, then stops with TrainingError. A run that reaches
    `train.steps` ends with a short summary (ganzoo/training/summary.py).
    """
    started = time.perf_counter()
    stream = stream or sys.stdout
    wd = Workdir(workdir)  # a bad path fails before any cluster or TPU is connected
    strategy = distribute_lib.get_strategy(config.train.strategy, config.train.tpu)
    chief = distribute_lib.is_chief(strategy)  # only the chief writes into the workdir
    with _writing(wd, chief, stream):  # before anything slow: a second writer stops at once
        config = family_of(config).resolve(config)  # e.g. a text vocabulary, saved with the run
        return _train(config, wd, strategy, chief, stream, started)


def _writing(wd: Workdir, chief: bool, stream):
    """The chief proves the workdir writable and holds it for the run; other workers write
    nothing there and hold nothing."""
    if not chief:
        return contextlib.nullcontext()
    wd.ensure_writable()
    return run_lock.writer(wd.path, stream)


def _train(config: Config, wd: Workdir, strategy, chief: bool, stream, started: float) -> GAN:
    gan, ckpt = _open_run(config, wd, stream)
    if ckpt.step >= config.train.steps:
        print(
            f"Run in {wd.path} is already at step {ckpt.step} of {config.train.steps}; nothing "
            "to train. Raise --set train.steps=... to train longer.",
            file=stream,
        )
        return gan
    dataset = build_dataset(config)  # data problems surface before anything is written
    if distribute_lib.is_multi_worker(strategy):
        dataset = distribute_lib.shard_by_data(dataset)
    evaluation = eval_callback(config, wd, stream, chief)  # evaluation's too (no Inception ...)
    if chief:
        wd.write_config(config)
    # On every worker, though only the chief's health watch uses it: each iterator taken from
    # the dataset advances its seeded shuffle, and all workers must then read the same batches.
    real_sample = _real_sample(dataset, config.health.diversity_samples)
    print(_start_line(config, wd, ckpt.step, strategy), file=stream, flush=True)
    family = family_of(config)
    while True:
        family.prepare_training(gan, config, dataset)  # (again after a rollback rebuilt it)
        monitor = family.monitor_class()(
            ckpt,
            wd,
            config,
            reference_points(config),
            real_sample=real_sample,
            stream=stream,
            chief=chief,
        )
        _fit(gan, ckpt, dataset, monitor, evaluation, strategy, stream)
        if monitor.nonfinite is None:
            monitor.save_checkpoint()
            if chief:
                _print_summary(config, wd.given, gan, monitor, evaluation, started, stream)
            return gan
        gan, ckpt = _roll_back(config, wd, gan, ckpt, monitor, stream)


def _print_summary(config, workdir, gan, monitor, evaluation, started, stream) -> None:
    """The finished run's summary, with its family's headline quality figure (which reuses
    an evaluation of the final step when eval.at_end or eval.every ran one)."""
    step = monitor.ckpt.step
    final = getattr(evaluation, "last_result", None)
    final = final if final and final.get("step") == step else None
    headline = family_of(config).headline(gan, config, final)
    seconds = time.perf_counter() - started
    text = summary_lib.run_summary(
        config.name or "run", step, monitor.total, seconds, workdir, monitor.last_samples, headline
    )
    print(text, file=stream, flush=True)


def _open_run(config: Config, wd: Workdir, stream) -> tuple[GAN, RunCheckpoint]:
    """The run's GAN restored from its latest readable checkpoint (or new), after checking the
    workdir holds this run (other workers read the chief's config.json, if there is one)."""
    wd.check_compatible(config)
    if config.train.deterministic:
        enable_determinism(config.seed)
    return _restored_run(config, wd, required=False, stream=stream)


def _fit(gan, ckpt, dataset, monitor, evaluation, strategy, stream) -> None:
    """`fit` to train.steps from the checkpoint's data position; Ctrl-C and SIGTERM save a
    checkpoint."""
    position = ckpt.data_position
    dataset = without_autotune_model(dataset.skip(position) if position else dataset)
    restore = _stop_at_batch_end_on_signals(monitor)
    try:
        gan.fit(
            dataset,
            epochs=1,
            steps_per_epoch=monitor.total - ckpt.step,
            callbacks=[monitor] + ([evaluation] if evaluation else []),
            verbose=0,
            shuffle=False,
        )
    except KeyboardInterrupt as e:
        monitor.save_checkpoint()
        how = "Stopped by SIGTERM" if isinstance(e, Terminated) else "Interrupted"
        print(
            f"{how} at step {ckpt.step}; checkpoint saved. Run the same command to resume.",
            file=stream,
        )
        raise
    except tf.errors.UnavailableError as e:
        if not distribute_lib.is_multi_worker(strategy):
            raise
        raise _lost_worker(e, ckpt) from None
    finally:
        restore()


# signal -> (the handler it must have for ours to be installed, what the monitor raises)
_STOP_SIGNALS = {
    signal.SIGINT: (signal.default_int_handler, KeyboardInterrupt),
    signal.SIGTERM: (signal.SIG_DFL, Terminated),
}


def _stop_at_batch_end_on_signals(monitor):
    """Ctrl-C (SIGINT) or SIGTERM sets `monitor.interrupted`, which ends the run at the end of
    the current batch (an exception raised inside a running TF op can crash the process); the
    checkpoint is then saved. A second signal of the same kind acts at once. A signal whose
    handler is not Python's default (SIGINT ignored in a background job, or handled by the
    caller) is left alone, as are all signals outside the main thread. Returns the function that
    puts the previous handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {}
    for signum, (default, exception) in _STOP_SIGNALS.items():
        if signal.getsignal(signum) is not default:
            continue

        def on_signal(signum, frame, default=default, exception=exception):
            signal.signal(signum, default)
            monitor.interrupted = exception

        previous[signum] = signal.signal(signum, on_signal)

    def restore():
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


def _lost_worker(error, ckpt: RunCheckpoint) -> TrainingError:
    """The one-line error of a collective aborted because a peer stopped (killed, crashed)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [""]
    cause = next((line for line in lines if "aborted by" in line), lines[0])[:300]
    kept = os.path.basename(ckpt.latest) if ckpt.latest else "none yet"
    return TrainingError(
        f"Lost another worker of the cluster after step {ckpt.step} ({type(error).__name__}: "
        f"{cause}). Expected every worker of $TF_CONFIG to keep running. The last checkpoint "
        f"({kept}) is kept; start the same command on every worker again to resume from it."
    )


def _start_line(config: Config, wd: Workdir, step: int, strategy) -> str:
    verb = "Resuming" if step else "Starting"
    line = f"{verb} {config.name or 'run'} at step {step} of {config.train.steps} in {wd.path}"
    tag = distribute_lib.worker_tag(strategy)
    if not tag:
        return line
    workers = distribute_lib.num_workers(strategy)
    role = "writes the workdir" if tag == "chief" else "the chief writes the workdir"
    return f"{line} as the {tag} of {workers} workers ({role})"


def _roll_back(config, wd, gan, ckpt, monitor, stream):
    """Restores the last good checkpoint after a non-finite reading and applies the remedy."""
    step, name, value = monitor.nonfinite
    count = int(ckpt.rollbacks.numpy()) + 1
    kept = os.path.basename(ckpt.latest) if ckpt.latest else "none yet"
    if config.train.nonfinite_remedy == "stop" or count > config.train.max_rollbacks:
        raise TrainingError(
            f"Non-finite {name} ({value}) at step {step}, after {count - 1} rollback(s) "
            f"(train.max_rollbacks={config.train.max_rollbacks}). The last good checkpoint "
            f"({kept}) is kept. Try lower learning rates (--set optimizer.d_lr=... "
            "--set optimizer.g_lr=...), a penalty (--set stabilizers.penalty=r1), or another loss."
        )
    if ckpt.latest:
        ckpt.restore(ckpt.latest)
    else:  # nothing saved yet: start again from the initial weights
        gan, ckpt = _restored_run(config, wd, required=False)
    gan.reset_metrics()
    remedy = config.train.nonfinite_remedy
    done = []
    if remedy in ("lower_lr", "both"):
        # The checkpoint's learning rates already carry the backoffs of the rollbacks it saw.
        factor = config.train.lr_backoff ** (count - int(ckpt.rollbacks.numpy()))
        for opt in (gan.d_optimizer, gan.g_optimizer):
            lr_schedule.scale_learning_rate(opt, factor, config.train.lr_backoff**count)
        done.append(
            f"learning rates now d {float(gan.d_optimizer.learning_rate.numpy()):.3g}, "
            f"g {float(gan.g_optimizer.learning_rate.numpy()):.3g}"
        )
    if remedy in ("skip_data", "both"):
        skipped = step - ckpt.step
        ckpt.data_skip.assign(int(ckpt.data_skip.numpy()) + skipped)
        done.append(f"skipping the {skipped} batch(es) since step {ckpt.step}")
    ckpt.rollbacks.assign(count)
    text = (
        f"Non-finite {name} ({value}) at step {step}: rolled back to step {ckpt.step} "
        f"(rollback {count} of {config.train.max_rollbacks}); {'; '.join(done)}."
    )
    print(text, file=stream, flush=True)
    with monitor.writer.as_default(step=step):
        tf.summary.scalar("reliability/rollbacks", count)
        tf.summary.text("reliability/events", text)
    monitor.writer.flush()
    return gan, ckpt


def load_run(workdir: str, config: Config | None = None) -> tuple[Config, GAN, int]:
    """(config, GAN restored from the newest readable checkpoint, step) for a run folder.
    Reads only, unless the caller holds the folder (run_lock.writer): then a damaged newer
    checkpoint is moved aside."""
    wd = Workdir(workdir)
    if config is None:
        config = wd.require_config()
    config = family_of(config).resolve(config)
    gan, ckpt = _restored_run(config, wd, required=True)
    return config, gan, ckpt.step


def _loaded_run(workdir: str, config: Config | None) -> LoadedRun:
    config, gan, step = load_run(workdir, config)
    return LoadedRun(config, gan, step, Workdir(workdir))


def sample(
    workdir: str, num: int | None = None, seed: int | None = None, config: Config | None = None
) -> dict:
    """Writes `num` samples from the latest checkpoint as its family shows them (a PNG grid and
    an .npy for images; conditional models one grid row per class of `sample.labels` and
    `*_labels.npy`; InfoGAN also a traversal grid per code; text, WAV or GIF files for text,
    audio and video); no data needed, except for image-to-image and CycleGAN runs."""
    with run_lock.writer(Workdir(workdir).path):
        run = _loaded_run(workdir, config)
        num = run.config.sample.num if num is None else num
        seed = run.config.sample.seed if seed is None else seed
        return family_of(run.config).sample(run, num, seed)


def export(workdir: str, config: Config | None = None) -> dict:
    """Writes export/generator (SavedModel: z [, labels] -> images in [0, 1]) and
    export/generator.keras (CycleGAN: export/g_ab and export/g_ba, images -> images)."""
    with run_lock.writer(Workdir(workdir).path):
        run = _loaded_run(workdir, config)
        return family_of(run.config).export(run)
