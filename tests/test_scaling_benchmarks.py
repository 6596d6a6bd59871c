"""The scaling benchmarks' entry points run end to end on tiny settings and report what they
measured (docs/scaling.md quotes their full-size runs)."""

import numpy as np

from benchmarks import pipeline_sharded


def test_smooth_images_are_uint8_and_not_noise():
    images = pipeline_sharded.smooth_images(2, 32)
    assert images.shape == (2, 32, 32, 3) and images.dtype == np.uint8
    # Neighbouring pixels are close (upsampled coarse noise), unlike white noise.
    step = np.abs(np.diff(images.astype(int), axis=1)).mean()
    assert step < 20


def test_pipeline_benchmark_reports_both_settings(tmp_path):
    out = tmp_path / "pipeline.md"
    text = pipeline_sharded.main(
        [
            "--resolutions=32",
            "--images=16",
            "--shards=2",
            "--batch=4",
            "--windows=2",
            "--batches_per_window=2",
            f"--dir={tmp_path}",
            f"--out={out}",
        ]
    )
    assert out.read_text() == text
    rows = [line for line in text.splitlines() if line.startswith("| 32x32")]
    assert [row.split("|")[2].strip() for row in rows] == ["True", "False"]
    assert all(float(row.split("|")[3]) > 0 for row in rows)
    assert "python -m benchmarks.pipeline_sharded" in text and "load average" in text
