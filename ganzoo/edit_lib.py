"""`--mode=edit` on a trained run folder: interpolation grids, class-direction arithmetic and
GAN inversion (then edit and regenerate), written as PNG grids, .npy and a JSON summary under
the run's `edits/`. The maths is in `ganzoo.editing`."""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from ganzoo import editing
from ganzoo import images as images_lib
from ganzoo.config import Config
from ganzoo.errors import ConfigError, EvalError
from ganzoo.family import family_of
from ganzoo.metrics import restoration
from ganzoo.training import run_lock
from ganzoo.workdir import Workdir

EDITS_DIR = "edits"


# -- what the generator is ---------------------------------------------------------------------
def _num_classes(config: Config) -> int:
    return family_of(config).num_classes(config)


def _render(gan, z: np.ndarray, labels=None, generator=None, batch_size: int = 256) -> np.ndarray:
    """G(z) (or G(z, labels)) as numpy, in batches; `generator` overrides the run's."""
    import keras

    generator = generator or gan.sampling_generator
    out = []
    for i in range(0, len(z), batch_size):
        zi = z[i : i + batch_size]
        inputs = zi if labels is None else [zi, np.asarray(labels[i : i + batch_size], np.int32)]
        out.append(keras.ops.convert_to_numpy(generator(inputs, training=False)))
    return np.concatenate(out).astype(np.float32)


def _z(gan, num: int, seed: int) -> np.ndarray:
    """z ~ N(0, I) [num, latent_dim], deterministic in seed (conditional GANs' own
    latent_for_seed also returns labels)."""
    from ganzoo.gan import GAN

    return GAN.latent_for_seed(gan, num, seed)


class Grouper:
    """Assigns generated samples to groups: the domain classifier's predicted class (MNIST,
    Fashion-MNIST), or the nearest mode (2-D synthetic data)."""

    def __init__(self, config: Config, stream=None):
        from ganzoo.metrics import evaluator as eval_lib

        self.config = config
        self.kind = None
        if config.data.source == "synthetic":
            from ganzoo.data import synthetic

            self.kind = "mode"
            self.centers = synthetic.mode_centers(config.data.name)
            self.num_groups = len(self.centers)
        elif config.data.name in eval_lib.CLASSIFIER_DATASETS and config.model.channels == 1:
            self.kind = "classifier"
            self.classifier = eval_lib.build_extractor(config, "classifier", stream)
            self.num_groups = int(self.classifier.metadata["num_classes"])
        else:
            raise ConfigError(
                f"Received: a run on {config.data.name!r} ({config.data.source}), which has no "
                "domain classifier and no labels. Expected an MNIST / Fashion-MNIST run (the "
                f"classifier groups samples by class; {', '.join(eval_lib.CLASSIFIER_DATASETS)}), "
                "a 2-D synthetic run (nearest mode) or a conditional run (labels) for "
                "edit.op=direction."
            )

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        if self.kind == "mode":
            d = np.linalg.norm(samples[:, None, :] - self.centers[None], axis=-1)
            return np.argmin(d, axis=1)
        return np.argmax(self.classifier(samples)[1], axis=1)

    def features(self):
        """A differentiable x -> features for the inversion's feature loss."""
        if self.kind != "classifier":
            raise ConfigError(
                "Received: edit.feature_weight > 0 for a run without a domain classifier. "
                "Expected an MNIST / Fashion-MNIST run, or edit.feature_weight=0."
            )
        from ganzoo.metrics.classifier import FEATURES_KEY

        model = self.classifier.model
        return lambda x: model(x, training=False)[FEATURES_KEY]


def _classes(config: Config, num_groups: int) -> tuple[int, int]:
    a = 0 if config.edit.class_a < 0 else config.edit.class_a
    b = 1 if config.edit.class_b < 0 else config.edit.class_b
    if a == b or max(a, b) >= num_groups:
        raise ConfigError(
            f"Received: edit.class_a={config.edit.class_a}, edit.class_b={config.edit.class_b}. "
            f"Expected two different classes in [0, {num_groups})."
        )
    return a, b


# -- pictures ----------------------------------------------------------------------------------
def _write(stem: str, rows: np.ndarray, reference=None) -> dict:
    """rows [R, C, ...] -> stem.png (a grid, one row per row; 2-D points: one scatter plot)
    and stem.npy."""
    os.makedirs(os.path.dirname(stem), exist_ok=True)
    np.save(stem + ".npy", rows)
    if rows.ndim == 5:
        picture = images_lib.image_grid(rows.reshape(-1, *rows.shape[2:]), rows.shape[1])
    else:
        picture = images_lib.picture(rows.reshape(-1, rows.shape[-1]), reference=reference)
    images_lib.write_png(stem + ".png", picture)
    return {"png": stem + ".png", "npy": stem + ".npy"}


def _reference(config):
    from ganzoo.training.callbacks import reference_points

    return reference_points(config)


# -- the ops -----------------------------------------------------------------------------------
def interpolate(config: Config, gan, step: int, out_dir: str, stream) -> dict:
    """`num` rows from G(z0) to G(z1), `frames` images each, for lerp and/or slerp."""
    ed = config.edit
    z = _z(gan, 2 * ed.num, ed.seed)
    z0, z1 = z[: ed.num], z[ed.num :]
    k = _num_classes(config)
    labels = np.arange(ed.num) % k if k else None  # one class per row, held along the row
    methods = ("lerp", "slerp") if ed.method == "both" else (ed.method,)
    out = {"op": "interpolate", "step": step, "labels": None if labels is None else labels.tolist()}
    for method in methods:
        path = editing.interpolation_path(z0, z1, ed.frames, method)  # [frames, num, D]
        path = np.swapaxes(path, 0, 1)  # [num, frames, D]
        flat_labels = None if labels is None else np.repeat(labels, ed.frames)
        images = _render(gan, path.reshape(-1, path.shape[-1]), flat_labels)
        rows = images.reshape(ed.num, ed.frames, *images.shape[1:])
        stem = os.path.join(out_dir, f"interpolate_{method}_step{step:06d}_seed{ed.seed}")
        norms = np.linalg.norm(path, axis=-1)  # [num, frames]
        out[method] = {
            **_write(stem, rows, _reference(config)),
            "mean_z_norm_endpoints": float(norms[:, [0, -1]].mean()),
            "mean_z_norm_midpoint": float(norms[:, ed.frames // 2].mean()),
        }
    return out


def _direction_for(config, gan, grouper, stream):
    """(d, a, b, group counts): the mean-z difference from class a to class b of samples."""
    ed = config.edit
    a, b = _classes(config, grouper.num_groups)
    z = _z(gan, ed.group_samples, ed.seed + 1)
    groups = grouper(_render(gan, z))
    counts = np.bincount(groups, minlength=grouper.num_groups)
    direction = editing.group_direction(z, groups, a, b)
    print(
        f"Direction class {a} -> {b} from {ed.group_samples} samples ({counts[a]} in {a}, "
        f"{counts[b]} in {b}); |d| = {np.linalg.norm(direction):.3f}",
        file=stream,
        flush=True,
    )
    return direction, a, b, z, groups, counts


def direction(config: Config, gan, step: int, out_dir: str, stream) -> dict:
    """Unconditional: rows are samples the grouper puts in class a, columns G(z + s d) for each
    strength s; reports the share of each column in class b. Conditional: the class is G's
    input, so the edit is the label: columns G(z, a), G(z, b)."""
    ed = config.edit
    strengths = editing.parse_strengths(ed.strengths)
    k = _num_classes(config)
    if k:
        return _label_swap(config, gan, step, out_dir, stream)
    grouper = Grouper(config, stream)
    d, a, b, z, groups, counts = _direction_for(config, gan, grouper, stream)
    base = z[groups == a][: ed.num]
    edited = np.stack([base + s * d for s in strengths], axis=1)  # [n, S, D]
    images = _render(gan, edited.reshape(-1, edited.shape[-1]))
    rows = images.reshape(len(base), len(strengths), *images.shape[1:])
    stem = os.path.join(out_dir, f"direction_{a}to{b}_step{step:06d}_seed{ed.seed}")
    # Measured on every class-a sample drawn, not only the rows shown.
    all_a = z[groups == a]
    share = []
    for s in strengths:
        predicted = grouper(_render(gan, all_a + s * d))
        share.append(float(np.mean(predicted == b)))
    return {
        "op": "direction",
        "step": step,
        "class_a": a,
        "class_b": b,
        "grouped_by": grouper.kind,
        "group_counts": counts.tolist(),
        "direction_norm": float(np.linalg.norm(d)),
        "strengths": strengths,
        "share_in_class_b": share,
        "evaluated_samples": len(all_a),
        **_write(stem, rows, _reference(config)),
    }


def _label_swap(config, gan, step, out_dir, stream):
    ed = config.edit
    k = _num_classes(config)
    a, b = _classes(config, k)
    z = _z(gan, ed.num, ed.seed)
    rows = np.stack(
        [_render(gan, z, np.full(ed.num, a)), _render(gan, z, np.full(ed.num, b))], axis=1
    )
    out = {"op": "direction", "step": step, "class_a": a, "class_b": b, "grouped_by": "label"}
    try:
        grouper = Grouper(config, stream)
    except ConfigError:
        grouper = None  # no classifier: the grid alone
    if grouper is not None and grouper.kind == "classifier" and rows.ndim == 5:
        out["share_classified_a_then_b"] = [
            float(np.mean(grouper(rows[:, 0]) == a)),
            float(np.mean(grouper(rows[:, 1]) == b)),
        ]
    stem = os.path.join(out_dir, f"direction_label{a}to{b}_step{step:06d}_seed{ed.seed}")
    return {**out, **_write(stem, rows, _reference(config))}


def _targets(config: Config, conditional: bool):
    """(targets [N, ...] in the data's range, labels [N] or None, where they came from)."""
    ed = config.edit
    if ed.inputs:
        from ganzoo.data.image_folder import find_images

        paths = find_images(ed.inputs)[: ed.num]
        from ganzoo.data.transforms import load_model_image

        targets = np.stack(
            [load_model_image(p, config.model.resolution, config.model.channels) for p in paths]
        )
        return targets, None, f"folder {ed.inputs}"
    from ganzoo.metrics import evaluator as eval_lib

    ds = eval_lib.examples(config, config.eval.split, conditional, 0, limit=ed.num)
    batch = next(iter(ds.batch(ed.num)))
    if conditional:
        return batch[0].numpy(), batch[1].numpy(), f"{config.data.name} {config.eval.split}"
    return batch.numpy(), None, f"{config.data.name} {config.eval.split}"


def invert(config: Config, gan, step: int, out_dir: str, stream) -> dict:
    """Inverts `num` targets (best of `restarts` random starts), optionally fine-tunes a copy
    of G at those z, then (with edit.class_a/class_b set) adds the class direction."""
    ed = config.edit
    k = _num_classes(config)
    targets, labels, where = _inversion_targets(config, k)
    grouper = None
    wants_edit = ed.class_a >= 0 or ed.class_b >= 0
    if ed.feature_weight > 0 or (wants_edit and not k):
        grouper = Grouper(config, stream)
    features = grouper.features() if ed.feature_weight > 0 else None
    start = time.perf_counter()
    z, recon, mse, initial = _best_inversion(ed, gan, targets, labels, features)
    inversion_seconds = time.perf_counter() - start
    n = len(targets)
    out = {
        "op": "invert",
        "step": step,
        "targets": where,
        "num_targets": n,
        "restarts": ed.restarts,
        "steps": ed.steps,
        "feature_weight": ed.feature_weight,
        "mse_at_start_all_restarts": float(initial),
        "inversion": _scores(recon, targets, mse),
        "inversion_seconds": round(inversion_seconds, 1),
    }
    columns = [targets, recon]
    generator = None
    if ed.finetune_steps:
        tuned, tuned_out = _finetuned(ed, gan, z, targets, labels, features)
        generator = tuned.generator
        columns.append(tuned.images)
        out.update(tuned_out)
    if wants_edit:
        edited, out["edit"] = _edited(config, gan, grouper, z, generator, stream)
        columns += edited
    rows = np.stack(columns, axis=1)
    stem = os.path.join(out_dir, f"invert_step{step:06d}_seed{ed.seed}_n{n}")
    out["columns"] = _column_names(rows.shape[1], bool(ed.finetune_steps))
    np.save(stem + "_z.npy", z)
    return {**out, **_write(stem, rows, _reference(config)), "z": stem + "_z.npy"}


def _inversion_targets(config: Config, num_classes: int):
    """(targets, labels or None, where they came from); a conditional run's labels are
    edit.label when set, else the data's."""
    ed = config.edit
    targets, labels, where = _targets(config, bool(num_classes))
    if num_classes:
        if ed.label >= 0:
            labels = np.full(len(targets), ed.label, np.int32)
        elif labels is None:
            raise ConfigError(
                "Received: edit.inputs images for a conditional run and edit.label=-1. Expected "
                "the targets' class: --set edit.label=K."
            )
    return targets, labels, where


def _best_inversion(ed, gan, targets, labels, features):
    """(z, G(z), MSE, the mean MSE before the first step) of the best of edit.restarts random
    starts per target, all inverted in one batch."""
    n, dim = len(targets), gan.latent_dim
    rng = np.random.default_rng(ed.seed)
    z_init = rng.standard_normal((ed.restarts * n, dim)).astype(np.float32)
    tiled = np.concatenate([targets] * ed.restarts)
    tiled_labels = None if labels is None else np.concatenate([labels] * ed.restarts)
    found = editing.invert(
        gan.sampling_generator,
        tiled,
        z_init,
        labels=tiled_labels,
        steps=ed.steps,
        lr=ed.lr,
        feature_fn=features,
        feature_weight=ed.feature_weight,
        latent_reg=ed.latent_reg,
    )
    best = np.argmin(found.mse.reshape(ed.restarts, n), axis=0)  # per target
    pick = best * n + np.arange(n)
    return found.z[pick], found.images[pick], found.mse[pick], found.history[0]


def _finetuned(ed, gan, z, targets, labels, features):
    """(the fine-tuned Reconstruction, its entries of the summary)."""
    start = time.perf_counter()
    tuned = editing.finetune(
        gan.sampling_generator,
        z,
        targets,
        labels=labels,
        steps=ed.finetune_steps,
        lr=ed.finetune_lr,
        feature_fn=features,
        feature_weight=ed.feature_weight,
    )
    return tuned, {
        "finetuned": _scores(tuned.images, targets, tuned.mse),
        "finetune_steps": ed.finetune_steps,
        "finetune_seconds": round(time.perf_counter() - start, 1),
    }


def _edited(config: Config, gan, grouper, z, generator, stream):
    """(columns of the inverted z edited, the summary's `edit` entry): class b's label for a
    conditional run, else z + s d for each nonzero strength s of the class direction d."""
    strengths = [s for s in editing.parse_strengths(config.edit.strengths) if s]
    k = _num_classes(config)
    if k:
        b = _classes(config, k)[1]
        return [_render(gan, z, np.full(len(z), b), generator)], {"label": b}
    d, a, b, *_ = _direction_for(config, gan, grouper, stream)
    columns = [_render(gan, z + s * d, None, generator) for s in strengths]
    return columns, {"class_a": a, "class_b": b, "strengths": strengths}


def _column_names(num_columns: int, finetuned: bool) -> list[str]:
    return (
        ["target", "G(z*)"]
        + (["G_tuned(z*)"] if finetuned else [])
        + [f"edit {c}" for c in range(num_columns - 2 - finetuned)]
    )


def _scores(images, targets, mse) -> dict:
    is_image = np.asarray(targets).ndim == 4
    out = {"mse": float(np.mean(mse)), "mse_per_target": [float(m) for m in mse]}
    if is_image:
        p = restoration.psnr(images, targets)
        # A perfect reconstruction's PSNR is +inf: kept per target, left out of the mean.
        out.update(psnr=restoration.mean_psnr(p), psnr_per_target=[float(v) for v in p])
    return out


OPS = {"interpolate": interpolate, "direction": direction, "invert": invert}


def edit(workdir: str, config: Config | None = None, stream=None) -> dict:
    """Runs `config.edit.op` on the latest checkpoint of `workdir`; writes edits/ files and
    edits/<op>_stepXXXXXX.json; returns the summary. Holds the run folder while it does."""
    stream = stream or sys.stdout
    with run_lock.writer(Workdir(workdir).path, stream):
        return _edit(workdir, config, stream)


def _edit(workdir: str, config: Config | None, stream) -> dict:
    from ganzoo import train_lib

    config, gan, step = train_lib.load_run(workdir, config)
    family_of(config).check_edit(config)
    if config.edit.op not in OPS:
        raise EvalError(f"Received: edit.op={config.edit.op!r}. Expected one of {', '.join(OPS)}.")
    wd = Workdir(workdir)
    out_dir = wd.sub(EDITS_DIR)
    os.makedirs(out_dir, exist_ok=True)
    result = OPS[config.edit.op](config, gan, step, out_dir, stream)
    nested = [v["png"] for v in result.values() if isinstance(v, dict) and "png" in v]
    result["pngs"] = [result["png"]] if "png" in result else nested
    name = f"{config.edit.op}_step{step:06d}_seed{config.edit.seed}.json"
    result["path"] = wd.write_json(os.path.join(EDITS_DIR, name), result)
    return result
