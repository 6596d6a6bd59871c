"""docs/performance.md's tables that no benchmark module writes: the DCGAN hand FLOP count (from
the formulas `benchmarks.flops` tests) and reuse_fake's quality cost (from the zoo's results)."""

from __future__ import annotations

import re

from docs.tables import markdown_table

# DCGAN 28x28x1, width 64, latent 100 (mnist_dcgan): (layer, shape, FLOPs(batch)). A transposed
# convolution costs the convolution it transposes.
B = 64


def _layers():
    from benchmarks import flops

    return (
        ("G dense", "100 -> 7x7x128", flops.dense_flops(B, 100, 7 * 7 * 128)),
        ("G up0", "7x7x128 -> 14x14x64, 4x4", flops.conv2d_flops(B, (7, 7), 128, 4, 64)),
        ("G up1", "14x14x64 -> 28x28x1, 4x4", flops.conv2d_flops(B, (14, 14), 64, 4, 1)),
        ("D down0", "28x28x1 -> 14x14x64, 4x4", flops.conv2d_flops(B, (14, 14), 64, 4, 1)),
        ("D down1", "14x14x64 -> 7x7x128, 4x4", flops.conv2d_flops(B, (7, 7), 128, 4, 64)),
        ("D logits", "7x7x128 -> 1", flops.dense_flops(B, 7 * 7 * 128, 1)),
    )


def hand_count_table(results=None) -> str:
    """Forward FLOPs of each DCGAN layer at batch 64, from the hand formulas."""
    del results  # computed, not measured
    rows = [[name, shape, f"{count / 1e6:.2f}"] for name, shape, count in _layers()]
    return markdown_table(["layer", "shape", "forward MFLOP"], rows)


def _variant(key: str) -> tuple[str, str]:
    """('float32' | 'mixed_bfloat16', 'true' | 'false') from a zoo results key."""
    precision = "mixed_bfloat16" if "mixed-bfloat16" in key else "float32"
    reuse = re.search(r"reuse-fake-(true|false)", key)
    return precision, reuse.group(1) if reuse else "?"


def reuse_quality_table(results: dict, experiment: str = "fashion_mnist_dcgan") -> str:
    """FID, KID, precision and recall (mean ± sample std over seeds) of `experiment` with and
    without `train.reuse_fake`, per precision, from the zoo's per-run records."""
    from benchmarks.zoo_results import fmt_mean_std

    groups: dict[tuple[str, str], list[dict]] = {}
    for key, record in results.items():
        if record["experiment"] == experiment and "reuse-fake" in key:
            groups.setdefault(_variant(key), []).append(record)
    rows = []
    for (precision, reuse), records in sorted(groups.items()):
        metrics = [r["metrics"] for r in records]
        rows.append(
            [
                f"`train.precision={precision}`, `train.reuse_fake={reuse}`",
                ", ".join(str(r["seed"]) for r in sorted(records, key=lambda r: r["seed"])),
                ", ".join(sorted({str(r["steps"]) for r in records})),
                fmt_mean_std([m["fid"] for m in metrics], 2),
                fmt_mean_std([m["kid"] for m in metrics], 3),
                fmt_mean_std([m["precision"] for m in metrics], 3),
                fmt_mean_std([m["recall"] for m in metrics], 3),
            ]
        )
    header = [
        "`fashion_mnist_dcgan` with",
        "seeds",
        "steps",
        "FID (domain classifier)",
        "KID",
        "precision",
        "recall",
    ]
    return markdown_table(header, rows)
