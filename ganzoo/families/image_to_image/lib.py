"""Image-to-image runs (pix2pix, SRGAN): build the `Pix2Pix` GAN for a config, and its
sample, export and evaluation modes (restoration metrics against the classical baselines)."""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from ganzoo.config import Config
from ganzoo.export import save_keras, write_saved_model
from ganzoo.families.image_to_image import data as paired
from ganzoo.families.image_to_image.gan import Pix2Pix, comparison_grid, display_inputs
from ganzoo.families.image_to_image.models import build_task_models
from ganzoo.metrics import restoration
from ganzoo.workdir import Workdir

GRID_EXAMPLES = 8


def is_paired(config: Config) -> bool:
    return config.image_to_image.task != "none"


def build_pix2pix(config: Config, common: dict) -> Pix2Pix:
    """The (uncompiled) Pix2Pix GAN of `config`; `common` holds GAN's shared keyword args."""
    g, d = build_task_models(config, paired.input_shape(config))
    image_to_image = config.image_to_image
    return Pix2Pix(
        g,
        d,
        task=image_to_image.task,
        content_loss=image_to_image.content_loss,
        content_weight=image_to_image.content_weight,
        adv_weight=image_to_image.adv_weight,
        condition_discriminator=config.model.arch == "pix2pix",
        **common,
    )


def attach_sample_pairs(gan, config: Config, dataset) -> None:
    """Gives a training run's Pix2Pix its fixed sample pairs (for grids and the health check)."""
    if isinstance(gan, Pix2Pix):
        num = max(config.sample.num, config.health.diversity_samples)
        gan.set_sample_pairs(*paired.fixed_pairs(dataset, num))


# -- sample ------------------------------------------------------------------------------------
def _folder_targets(config: Config, directory: str):
    from ganzoo.data.image_folder import find_images
    from ganzoo.data.transforms import to_model_image

    paths = find_images(directory)
    r, c = config.model.resolution, config.model.channels
    targets = [
        to_model_image(
            tf.io.decode_image(tf.io.read_file(p), expand_animations=False), r, c
        ).numpy()
        for p in paths
    ]
    return paths, np.stack(targets)


def _png(path: str, images) -> None:
    from ganzoo import images as images_lib

    images_lib.write_png(path, images_lib.to_uint8(images))


def sample(config: Config, gan: Pix2Pix, step: int, workdir: str) -> dict:
    """--mode=sample. With `sample.inputs=DIR`: each image there is brought to the model's
    size, degraded by the task (mask, grayscale or downsampling) and translated; writes
    samples/inputs_stepXXXXXX/<name>_input.png and <name>_output.png per image and grid.png
    (input | output | original). Without it: the first `sample.num` examples of
    `image_to_image.eval_split`, as one grid and an .npy of the outputs."""
    wd = Workdir(workdir)
    seed = tf.constant([config.seed + paired.EVAL_SEED_OFFSET, 0], tf.int64)
    if config.sample.inputs:
        paths, targets = _folder_targets(config, config.sample.inputs)
        inputs = paired.degrade(config.image_to_image, tf.constant(targets), seed).numpy()
        out_dir = os.path.join(wd.samples_dir, f"inputs_step{step:06d}")
    else:
        targets, inputs = next(
            iter(
                paired.split_pairs(
                    config, config.image_to_image.eval_split, config.sample.num, 10**6
                )
            )
        )
        targets, inputs, paths = targets.numpy(), inputs.numpy(), None
        out_dir = wd.samples_dir
    outputs = gan.translate(inputs)
    shown = gan.display_inputs(inputs)
    os.makedirs(out_dir, exist_ok=True)
    if paths is not None:
        used = set()
        for i, path in enumerate(paths):
            stem = os.path.splitext(os.path.basename(path))[0]
            stem = stem if stem not in used else f"{stem}_{i}"  # same name in two subfolders
            used.add(stem)
            _png(os.path.join(out_dir, f"{stem}_input.png"), shown[i])
            _png(os.path.join(out_dir, f"{stem}_output.png"), outputs[i])
        stem = os.path.join(out_dir, "grid")
    else:
        stem = os.path.join(
            out_dir, f"sample_step{step:06d}_{config.image_to_image.eval_split}_n{len(outputs)}"
        )
    from ganzoo import images as images_lib

    images_lib.write_png(stem + ".png", comparison_grid([shown, outputs, targets]))
    np.save(stem + ".npy", outputs)
    return {
        "png": stem + ".png",
        "npy": stem + ".npy",
        "step": step,
        "num": len(outputs),
        "dir": out_dir,
    }


# -- export ------------------------------------------------------------------------------------
def export(config: Config, gan: Pix2Pix, step: int, workdir: str) -> dict:
    """Writes export/generator (SavedModel) and export/generator.keras.

    `serving_default` takes `inputs`, float32 [batch, h, w, C_in] in [0, 1], the conditioning
    image exactly as `ganzoo.families.image_to_image.data` builds it (for inpainting the masked image plus the
    mask, 1 = missing, as the last channel; for SR the low-resolution image; for colourisation
    the grayscale image), and returns `images`, float32 [batch, R, R, C] in [0, 1]. It loads
    with `tf.saved_model.load` alone.
    """
    export_dir = Workdir(workdir).export_dir
    os.makedirs(export_dir, exist_ok=True)
    generator = gan.sampling_generator
    archive = keras.export.ExportArchive()
    archive.track(generator)

    def serve(inputs):
        out = gan.restore(inputs * 2.0 - 1.0, training=False, generator=generator)
        return {"images": tf.clip_by_value((tf.cast(out, tf.float32) + 1.0) * 0.5, 0.0, 1.0)}

    shape = paired.input_shape(config)
    archive.add_endpoint(
        name="serving_default",
        fn=serve,
        input_signature=[tf.TensorSpec([None, *shape], tf.float32, name="inputs")],
    )
    saved_model = write_saved_model(archive, os.path.join(export_dir, "generator"))
    keras_path = save_keras(generator, os.path.join(export_dir, "generator.keras"))
    return {"saved_model": saved_model, "keras": keras_path, "step": step}


# -- evaluation --------------------------------------------------------------------------------
def baselines(config: Config, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """The classical restorations of `inputs` for the task, by name."""
    task = config.image_to_image.task
    if task == "sr":
        return {"bicubic": restoration.bicubic_upsample(inputs, config.model.resolution)}
    if task == "colorize":
        return {"grayscale": restoration.gray_to_rgb(inputs)}
    known, mask = (t.numpy() for t in paired.split_inpaint_inputs(tf.constant(inputs)))
    return {
        "mean_fill": restoration.mean_fill(known, mask),
        "telea": restoration.telea_fill(known, mask, config.image_to_image.telea_radius),
    }


def evaluate(run, stream=None) -> dict:
    """--mode=eval of a restored image-to-image run (a `ganzoo.family.LoadedRun`): PSNR and SSIM against the ground truth, and the
    domain-classifier (or Inception) FID against `eval.split`'s first `eval.num_samples`
    images, of the GAN and the task's baselines on the first `eval.num_samples` examples of
    `image_to_image.eval_split`. Writes eval/restoration_stepXXXXXX.json and .png (input | baselines |
    GAN | ground truth); returns the result."""
    from ganzoo.metrics import evaluator as evaluator_lib

    stream = stream or sys.stdout
    config, gan, step, wd = run.config, run.gan, run.step, run.workdir
    start = time.perf_counter()
    evaluator = evaluator_lib.Evaluator(config, stream) if config.image_to_image.eval_fid else None
    name = config.model.arch
    scores: dict[str, dict[str, list]] = {}
    kept: dict[str, list] = {}
    grid = None
    pairs = paired.split_pairs(
        config, config.image_to_image.eval_split, config.eval.num_samples, config.eval.batch_size
    )
    for targets, inputs in pairs.as_numpy_iterator():
        methods = {
            **baselines(config, inputs),
            name: gan.translate(inputs),
            "ground_truth": targets,
        }
        if grid is None:
            k = GRID_EXAMPLES
            shown = display_inputs(config.image_to_image.task, inputs[:k], targets.shape[1:])
            grid = comparison_grid([shown, *(m[:k] for m in methods.values())], per_row=1)
            grid_columns = ["input", *methods]
        for method, outputs in methods.items():
            s = scores.setdefault(method, {"psnr": [], "ssim": []})
            s["psnr"].append(restoration.psnr(outputs, targets))
            s["ssim"].append(restoration.ssim(outputs, targets))
            kept.setdefault(method, []).append(outputs)
    table = {}
    for method, s in scores.items():
        psnr, ssim = np.concatenate(s["psnr"]), np.concatenate(s["ssim"])
        row = {
            "psnr": restoration.mean_psnr(psnr) if method != "ground_truth" else None,
            "ssim": float(np.mean(ssim)),
        }
        if evaluator is not None:
            metrics = evaluator.evaluate_batches(iter(kept[method]))["metrics"]
            row.update(fid=metrics["fid"], kid=metrics["kid"])
        table[method] = row
    result = {
        "task": config.image_to_image.task,
        "mask": config.image_to_image.mask if config.image_to_image.task == "inpaint" else None,
        "dataset": config.data.name,
        "split": config.image_to_image.eval_split,
        "num_examples": int(sum(len(k) for k in kept[name])),
        "fid_reference": None
        if evaluator is None
        else {
            "split": config.eval.split,
            "num_samples": evaluator.real.count,
            "extractor": evaluator.extractor.name,
        },
        "step": step,
        "methods": table,
        "grid_columns": grid_columns,
        "seconds": round(time.perf_counter() - start, 1),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    stem = os.path.join("eval", f"restoration_step{step:06d}")
    result["path"] = wd.write_json(stem + ".json", result)
    from ganzoo import images as images_lib

    result["png"] = wd.sub(stem + ".png")
    images_lib.write_png(result["png"], grid)
    return result


def format_table(result: dict) -> str:
    """The result's methods as a Markdown table."""
    fid = result["fid_reference"] is not None
    lines = [
        "| method | PSNR (dB) | SSIM |" + (" FID |" if fid else ""),
        "|---|---|---|" + ("---|" if fid else ""),
    ]
    for method, row in result["methods"].items():
        psnr = "-" if row["psnr"] is None else f"{row['psnr']:.2f}"
        line = f"| {method} | {psnr} | {row['ssim']:.4f} |"
        lines.append(line + (f" {row['fid']:.2f} |" if fid else ""))
    return "\n".join(lines)


def result_lines(result: dict) -> str:
    """What --mode=eval prints: the table, then one line of what was scored and where."""
    return format_table(result) + (
        f"\n{result['task']} on {result['dataset']} {result['split']!r}, "
        f"{result['num_examples']} examples, step {result['step']} ({result['seconds']:.0f}s) "
        f"-> {result['path']}, {result['png']}"
    )
