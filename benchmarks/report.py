"""The results as a markdown page: machine, versions, date, command, then one row per run."""

from __future__ import annotations

import os
import shlex
import sys

from benchmarks.peak import Peak
from benchmarks.runner import Result, Settings

COLUMNS = (
    "model",
    "impl",
    "XLA",
    "batch",
    "ms/step (median)",
    "windows min-max ms",
    "img/s",
    "CPU ms/step (median)",
    "first step s",
    "GFLOP/step",
    "GFLOP/s",
    "% of peak",
    "CPU cores used",
    "other jobs' cores",
    "peak RSS MiB",
)


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def row(result: Result, peak_gflops: float | None) -> list[str]:
    t = result.timing
    gflop = result.flops / 1e9 if result.flops else None
    rate = gflop / (t.median_ms / 1e3) if gflop else None
    share = 100.0 * rate / peak_gflops if rate and peak_gflops else None
    return [
        result.model,
        result.impl,
        "on" if result.xla else "off",
        str(result.batch),
        f"{t.median_ms:.1f}",
        f"{min(t.window_ms):.1f}-{max(t.window_ms):.1f}",
        f"{t.images_per_s(result.batch):.0f}",
        _fmt(t.median_cpu_ms, ".1f"),
        f"{t.first_step_s:.2f}",
        _fmt(gflop, ".3f"),
        _fmt(rate, ".1f"),
        _fmt(share, ".0f"),
        f"{t.cpu_cores:.2f}",
        _fmt(t.other_cores, ".2f"),
        _fmt(result.peak_rss_mib, ".0f"),
    ]


def markdown(
    results: list[Result],
    *,
    machine: dict[str, str],
    command: str,
    settings: Settings,
    peaks: list[Peak],
    load: tuple[str, str],
) -> str:
    peak = sum(p.gflops for p in peaks) / len(peaks) if peaks else None
    gpu = any(r.gpu_peak_mib is not None for r in results)
    header = list(COLUMNS) + (["GPU peak MiB"] if gpu else [])
    from benchmarks.models import MODELS

    described = dict.fromkeys(r.model for r in results)
    models = "; ".join(f"{m} = {MODELS[m].description}" for m in described)
    lines = page_header(
        "ganzoo train-step benchmark",
        machine,
        command,
        load,
        [f"- OS: {machine['host']}", f"- models: {models}"],
    ) + [
        f"- timing: {settings.warmup} warm-up steps, then the median of {settings.windows} "
        f"windows of {settings.steps_per_window} steps; random images in [-1, 1]",
    ]
    if peaks:
        each = ", ".join(f"{p.gflops:.1f}" for p in peaks)
        lines.append(
            f"- float32 matmul peak ({peaks[0].n}x{peaks[0].n} tf.matmul on {peaks[0].device}, "
            f"median of windows; measured before and after the runs): {each} GFLOP/s; "
            f"% of peak uses their mean, {peak:.1f} GFLOP/s"
        )
    lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        if r.ok:
            cells = row(r, peak) + ([_fmt(r.gpu_peak_mib, ".0f")] if gpu else [])
            lines.append("| " + " | ".join(cells) + " |")
    notes = [
        f"- {r.model}/{r.impl}: FLOPs from {r.flop_source}, "
        f"{_fmt(r.matmul_conv_flops and r.matmul_conv_flops / 1e9, '.4f')} GFLOP of them in "
        f"matmuls and convolutions; RSS after building {_fmt(r.start_rss_mib, '.0f')} MiB"
        + "".join(f"; {note}" for note in r.notes)
        for r in results
        if r.ok
    ]
    skipped = [f"- {r.model}/{r.impl}: skipped: {r.skipped}" for r in results if not r.ok]
    if notes:
        lines += ["", "Notes:", ""] + notes
    if skipped:
        lines += ["", "Skipped:", ""] + skipped
    return "\n".join(lines) + "\n"


def command_line(module: str, argv: list[str] | None) -> str:
    """The command that produced a page: `python -m <module>` and its arguments (`argv`, or the
    process's own when None)."""
    return f"python -m {module} {shlex.join(sys.argv[1:] if argv is None else argv)}".strip()


def page_header(
    title: str, machine: dict[str, str], command: str, load: tuple, details: list[str] = ()
) -> list[str]:
    """The first lines of every benchmark page: title, date, command, machine, versions, the
    page's own `details` lines, and the load average before and after the runs."""
    return [
        f"# {title}",
        "",
        f"- date: {machine['date']}",
        f"- command: `{command}`",
        f"- machine: {machine['cpu']}; {machine['memory']} RAM; GPU: {machine['gpu']}",
        f"- versions: {machine['versions']}",
        *details,
        f"- load average (1, 5, 15 min) before: {load[0]}; after: {load[1]}",
    ]


def publish(text: str, out: str | None) -> str:
    """Prints a results page and, when `out` is given, writes it there too; returns it."""
    print(text)
    if out:
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        with open(out, "w") as f:
            f.write(text)
    return text
