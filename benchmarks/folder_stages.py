"""The folder source's cold pass, stage by stage: CPU time per image of one pass over freshly
decoded files, the measurement behind docs/performance.md's two folder-pipeline changes.

python -m benchmarks.folder_stages [--examples=4000] [--repeats=2] [--dir=DIR]

"decode" reads and decodes (`load_image_folder` alone); "resize_every_image" adds what
`to_model_image` did before 2026-12-01 for a size known only at run time (an antialiased
resize and crop of every image, right-sized or not: `transforms._resize_and_crop`);
"two_maps" is today's `to_model_image` in a second tf.data map, as every image source has it;
"one_map" runs it inside the decoding map (`load_image_folder(prepare=...)`), what
`build_dataset` does for the folder source. The files are `benchmarks.pipeline_data`'s
28x28 Fashion-MNIST-like images, half PNG, half JPEG.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pipelines(directory: str, resolution: int = 28, channels: int = 1) -> dict:
    import tensorflow as tf

    from ganzoo.data import transforms
    from ganzoo.data.image_folder import load_image_folder

    def old_prepare(image):
        image = tf.image.convert_image_dtype(image, tf.float32)
        image = transforms._resize_and_crop(transforms.to_channels(image, channels), resolution)
        return tf.clip_by_value(image * 2.0 - 1.0, -1.0, 1.0)

    def prepare(image):
        return transforms.to_model_image(image, resolution, channels)

    def mapped(fn):
        return load_image_folder(directory).map(fn, num_parallel_calls=tf.data.AUTOTUNE)

    return {
        "decode": load_image_folder(directory),
        "resize_every_image": mapped(old_prepare),
        "two_maps": mapped(prepare),
        "one_map": load_image_folder(directory, prepare=prepare),
    }


def measure(ds, batch: int = 64) -> tuple[float, float]:
    """(images/s, CPU us/image) of one full pass, batched."""
    start, cpu, n = time.perf_counter(), time.process_time(), 0
    for images in ds.batch(batch):
        n += int(images.shape[0])
    return n / (time.perf_counter() - start), 1e6 * (time.process_time() - cpu) / n


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(prog="python -m benchmarks.folder_stages", description=__doc__)
    p.add_argument("--examples", type=int, default=4000)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--dir", default="", help="reuse this folder of images (written if empty)")
    args = p.parse_args(argv)
    from benchmarks import pipeline_data

    with tempfile.TemporaryDirectory(prefix="ganzoo_folder_stages_") as tmp:
        directory = args.dir or os.path.join(tmp, "images")
        if not (os.path.isdir(directory) and os.listdir(directory)):
            pipeline_data.write_image_folder(directory, args.examples)
        results = {}
        for _ in range(args.repeats):  # stages interleaved, so load falls on all of them
            for name, ds in pipelines(directory).items():
                results.setdefault(name, []).append(measure(ds))
    for name, runs in results.items():
        rates = ", ".join(f"{r:,.0f}" for r, _ in runs)
        cpu = ", ".join(f"{c:.1f}" for _, c in runs)
        print(f"{name}: images/s {rates}; CPU us/image {cpu}")
    return results


if __name__ == "__main__":
    main()
