"""docs/results.md's "zoo under one protocol" table, rendered from the records that
`python -m benchmarks.zoo_protocol` appends to docs/results/zoo_protocol.jsonl: per objective,
mean ± sample std over its seeds, beside Lucic et al.'s best Fashion-MNIST FID."""

from __future__ import annotations

import math

from docs.tables import markdown_table

# Lucic et al. 2018, "Are GANs Created Equal? A Large-Scale Study" (NeurIPS 2018), Table 2,
# Fashion-MNIST column: the best Inception FID of each loss over their hyperparameter search
# (InfoGAN networks), ± std. Copied from the two papers that reprint the table, which agree on
# every Fashion-MNIST figure: Dai & Wipf, "Diagnosing and Enhancing VAE Models" (ICLR 2019),
# Table 1, and Zhang & Khoreva, "PA-GAN: Improving GAN Training by Progressive Augmentation"
# (ICLR 2019 submission), Table 2. Lucic et al. have no hinge + SN or relativistic row.
LUCIC_FASHION = {
    "minimax": ("MM GAN", "29.6 ± 1.6"),
    "non_saturating": ("NS GAN", "26.5 ± 1.6"),
    "wgan": ("WGAN", "21.5 ± 1.6"),
    "wgan_gp": ("WGAN GP", "24.5 ± 2.1"),
    "lsgan": ("LSGAN", "30.7 ± 2.2"),
    "dragan": ("DRAGAN", "27.7 ± 1.2"),
}

# (record key, column title, decimals)
COLUMNS = (
    ("fid", "FID (domain classifier)", 2),
    ("score", "score", 2),
    ("precision", "precision", 3),
    ("recall", "recall", 3),
    ("classes_covered", "classes covered", 1),
    ("class_kl", "class KL", 3),
)


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (n - 1) of two or more values."""
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def cell(values: list, digits: int) -> str:
    """`mean ± std` of the values measured (None: not in that record); one value alone; `—`
    for none; `(k of n)` when only k of the n runs have the figure."""
    measured = [float(v) for v in values if v is not None]
    if not measured:
        return "—"
    if len(measured) == 1:
        text = f"{measured[0]:.{digits}f}"
    else:
        mean, std = mean_std(measured)
        text = f"{mean:.{digits}f} ± {std:.{digits}f}"
    return text if len(measured) == len(values) else f"{text} ({len(measured)} of {len(values)})"


def settings(overrides: dict) -> str:
    """The objective's overrides, `key=value` without the section names."""
    return ", ".join(f"{k.split('.')[-1]}={v}" for k, v in overrides.items())


def _in_protocol(record: dict) -> bool:
    from benchmarks import zoo_protocol

    objective = record.get("objective")
    return (
        objective in zoo_protocol.OBJECTIVES
        and record.get("overrides") == zoo_protocol.OBJECTIVES[objective]
        and record.get("steps") == zoo_protocol.STEPS
        and not record.get("sets")
    )


def _seeds(records: list[dict], wanted: int) -> str:
    if not records:
        return f"not measured (0 of {wanted})"
    seeds = ", ".join(str(r["seed"]) for r in records)
    return f"{seeds} ({len(records)} of {wanted})"


def _about(records: list[dict], wanted: int, ignored: int) -> str:
    """The sentence above the table: how many runs, where, when, at what load."""
    if not records:
        text = f"No run measured yet (0 of {wanted}): every row below says `not measured`."
    else:
        machines = sorted({f"{r['machine']['cpu']}, GPU {r['machine']['gpu']}" for r in records})
        dates = sorted(r["date"][:10] for r in records)
        loads = [x for r in records for x in (r["load_before"][0], r.get("load_after", [0])[0])]
        commits = sorted({r["commit"] for r in records})
        failed = sum(1 for r in records if "failed" in r)
        text = (
            f"{len(records)} of {wanted} runs recorded"
            + (f" ({failed} failed)" if failed else "")
            + f", {dates[0]} to {dates[-1]}, on "
            f"{' / '.join(machines)}; commits {', '.join(commits)}; 1-minute load average "
            f"{min(loads):.1f}-{max(loads):.1f} at the runs' starts and ends."
        )
    if ignored:
        text += (
            f" {ignored} record(s) of the file ran other settings (steps, --set or older "
            "overrides) and are not in the table."
        )
    return text


def zoo_protocol_table(results: list[dict] | None) -> str:
    """One row per objective of benchmarks.zoo_protocol: its settings, seeds, the figures of the
    family's evaluation (mean ± sample std over seeds), wall time per run and Lucic et al.'s
    best FID. Objectives without a run say `not measured`; failed runs are counted apart."""
    from benchmarks import zoo_protocol

    results = results or []
    protocol = [r for r in results if _in_protocol(r)]
    wanted = len(zoo_protocol.OBJECTIVES) * len(zoo_protocol.SEEDS)
    rows, failures = [], []
    for objective, overrides in zoo_protocol.OBJECTIVES.items():
        mine = sorted((r for r in protocol if r["objective"] == objective), key=lambda r: r["seed"])
        failed = [r for r in mine if "failed" in r]
        scored = [r for r in mine if "failed" not in r]
        failures += [f"`{objective}` seed {r['seed']}: {r['failed']}" for r in failed]
        whole = [r["wall_s"] / 60 for r in scored if r["resumed_from_step"] == 0]
        paper = LUCIC_FASHION.get(objective)
        seeds = _seeds(scored, len(zoo_protocol.SEEDS))
        if failed:
            seeds += f"; failed: {', '.join(str(r['seed']) for r in failed)}"
        rows.append(
            [
                f"`{objective}`",
                settings(overrides),
                seeds,
                *(cell([r.get(k) for r in scored], d) if scored else "—" for k, _, d in COLUMNS),
                cell(whole, 1) if whole else "—",
                f"{paper[0]} {paper[1]}" if paper else "— (not in the study)",
            ]
        )
    header = [
        "objective",
        "settings (over the base)",
        "seeds",
        *(title for _, title, _ in COLUMNS),
        "wall time / run (min)",
        "Lucic et al. best FID (Inception)",
    ]
    ignored = len(results) - len(protocol)
    parts = [_about(protocol, wanted, ignored), "", markdown_table(header, rows)]
    resumed = sum(1 for r in protocol if r.get("resumed_from_step") and "failed" not in r)
    if resumed:
        parts += ["", f"{resumed} resumed run(s) are left out of the wall-time column."]
    if failures:
        parts += ["", "Failed runs: " + "; ".join(failures) + "."]
    return "\n".join(parts)
