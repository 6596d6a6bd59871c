"""CycleGAN run folders: translation grids and folder translation (`--mode=sample`), one
SavedModel per direction (`--mode=export`), and the domain classifier's accuracy on translated
images beside the untranslated baseline (`--mode=eval`)."""

from __future__ import annotations

import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from ganzoo import images as images_lib
from ganzoo.errors import EvalError
from ganzoo.export import save_keras, write_saved_model
from ganzoo.families.cyclegan import data as unpaired
from ganzoo.metrics import restoration

DIRECTIONS = {"a2b": "g_ab", "b2a": "g_ba"}


def translation_rows(gan, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[6, N, ...]: A, G(A), F(G(A)), B, F(B), G(F(B))."""
    fake_b, fake_a = gan.translate(a, "a2b"), gan.translate(b, "b2a")
    return np.stack(
        [a, fake_b, gan.translate(fake_b, "b2a"), b, fake_a, gan.translate(fake_a, "a2b")]
    )


def sample(run) -> dict:
    """Translation grids of the first `sample.cols` images of each domain of
    cyclegan.eval_split; with sample.inputs=DIR, translates those images instead
    (cyclegan.direction) and writes each output as a PNG plus an input | output grid.
    `run`: a restored `ganzoo.family.LoadedRun`."""
    config, gan, step, wd = run.config, run.gan, run.step, run.workdir
    os.makedirs(wd.samples_dir, exist_ok=True)
    if config.sample.inputs:
        return _translate_folder(config, gan, step, wd)
    n = config.sample.cols
    a, b = unpaired.domain_arrays(config, n, config.cyclegan.eval_split)
    n = min(len(a), len(b))
    rows = translation_rows(gan, a[:n], b[:n])
    stem = os.path.join(
        wd.samples_dir, f"translate_step{step:06d}_{config.cyclegan.eval_split}_n{n}"
    )
    np.save(stem + ".npy", rows)
    images_lib.write_png(stem + ".png", images_lib.image_grid(rows.reshape(-1, *rows.shape[2:]), n))
    return {"png": stem + ".png", "npy": stem + ".npy", "step": step, "num": n}


def _translate_folder(config, gan, step, wd) -> dict:
    from ganzoo.data.image_folder import find_images
    from ganzoo.data.transforms import load_model_image

    folder, direction = config.sample.inputs, config.cyclegan.direction
    paths = find_images(folder)
    inputs = np.stack(
        [load_model_image(p, config.model.resolution, config.model.channels) for p in paths]
    )
    outputs = gan.translate(inputs, direction)
    out_dir = os.path.join(wd.samples_dir, f"translate_{direction}_step{step:06d}")
    for path, image in zip(paths, outputs, strict=True):
        name = os.path.splitext(os.path.relpath(path, folder))[0] + f"_{direction}.png"
        images_lib.write_png(os.path.join(out_dir, name), images_lib.to_uint8(image))
    pairs = np.stack([inputs, outputs], axis=1).reshape(-1, *inputs.shape[1:])
    grid = os.path.join(out_dir, "inputs_outputs.png")
    images_lib.write_png(grid, images_lib.image_grid(pairs, 8 if len(paths) >= 4 else 2))
    np.save(os.path.join(out_dir, "outputs.npy"), outputs)
    return {
        "png": grid,
        "npy": os.path.join(out_dir, "outputs.npy"),
        "step": step,
        "num": len(paths),
    }


def export_translator(net: keras.Model, path: str) -> str:
    """A SavedModel at `path` whose `serving_default` maps `inputs` (float32 [B, H, W, C] in
    [0, 1]) to `images` (float32, same shape, in [0, 1]); it loads with tf.saved_model.load
    alone. Written beside the target and renamed into place."""
    shape = list(net.input_shape[1:])
    archive = keras.export.ExportArchive()
    archive.track(net)

    def serve(inputs):
        x = tf.clip_by_value(tf.cast(inputs, tf.float32), 0.0, 1.0) * 2.0 - 1.0
        y = tf.cast(net(x, training=False), tf.float32)
        return {"images": tf.clip_by_value((y + 1.0) * 0.5, 0.0, 1.0)}

    archive.add_endpoint(
        name="serving_default",
        fn=serve,
        input_signature=[tf.TensorSpec([None, *shape], tf.float32, name="inputs")],
    )
    return write_saved_model(archive, path)


def export(run) -> dict:
    """export/g_ab, export/g_ba (SavedModels, [0, 1] -> [0, 1]) and their .keras files."""
    gan, step = run.gan, run.step
    directory = run.workdir.export_dir
    os.makedirs(directory, exist_ok=True)
    out = {"step": step}
    for direction, name in DIRECTIONS.items():
        net = gan.generator.get_layer(name)
        out[direction] = export_translator(net, os.path.join(directory, name))
        out[f"{direction}_keras"] = save_keras(net, os.path.join(directory, f"{name}.keras"))
    out["saved_model"], out["keras"] = out["a2b"], out["a2b_keras"]
    return out


def evaluate(run, stream=None) -> dict:
    """The domain classifier on cyclegan.eval_split images of each domain, untranslated and
    translated: the share of G(A) classified as class B (baseline: of A itself) and of F(B) as
    class A, plus the cycle reconstruction's PSNR. Writes eval/translation_stepXXXXXX.json."""
    from ganzoo.metrics import evaluator as eval_lib

    stream = stream or sys.stdout
    config, gan, step = run.config, run.gan, run.step
    cg = config.cyclegan
    if unpaired.uses_folders(config) or config.data.name not in eval_lib.CLASSIFIER_DATASETS:
        raise EvalError(
            f"Received: a CycleGAN between {unpaired.describe_domain(config, 'a')} and "
            f"{unpaired.describe_domain(config, 'b')}. Expected two classes of "
            f"{' or '.join(eval_lib.CLASSIFIER_DATASETS)}: only those have a domain classifier "
            "to score translations with."
        )
    classifier = eval_lib.build_extractor(config, "classifier", stream)
    start = time.perf_counter()
    a, b = unpaired.domain_arrays(config, cg.eval_num, cg.eval_split)

    def shares(images, label_from, label_to):
        predicted = np.argmax(classifier(images)[1], axis=1)
        return {
            "as_target": float(np.mean(predicted == label_to)),
            "as_source": float(np.mean(predicted == label_from)),
        }

    la, lb = cg.domain_a_label, cg.domain_b_label
    rows = translation_rows(gan, a[: min(len(a), len(b))], b[: min(len(a), len(b))])
    fake_b, fake_a = gan.translate(a, "a2b"), gan.translate(b, "b2a")
    result = {
        "step": step,
        "split": cg.eval_split,
        "num_a": len(a),
        "num_b": len(b),
        "class_a": la,
        "class_b": lb,
        "classifier_test_accuracy": classifier.metadata.get("test_accuracy"),
        "a_untranslated": shares(a, la, lb),
        "a_to_b": shares(fake_b, la, lb),
        "b_untranslated": shares(b, lb, la),
        "b_to_a": shares(fake_a, lb, la),
        # A perfect reconstruction (PSNR +inf) is left out of the mean (mean_psnr).
        "cycle_psnr_a": restoration.mean_psnr(restoration.psnr(rows[2], rows[0])),
        "cycle_psnr_b": restoration.mean_psnr(restoration.psnr(rows[5], rows[3])),
        "seconds": round(time.perf_counter() - start, 1),
    }
    result["path"] = run.workdir.write_json(
        os.path.join("eval", f"translation_step{step:06d}.json"), result
    )
    return result


def summary(result: dict) -> str:
    return (
        f"G(A) classified as class {result['class_b']}: {result['a_to_b']['as_target']:.3f} "
        f"(A itself: {result['a_untranslated']['as_target']:.3f}); F(B) as class "
        f"{result['class_a']}: {result['b_to_a']['as_target']:.3f} (B itself: "
        f"{result['b_untranslated']['as_target']:.3f}); cycle PSNR A {result['cycle_psnr_a']:.1f}"
        f" dB, B {result['cycle_psnr_b']:.1f} dB"
    )
