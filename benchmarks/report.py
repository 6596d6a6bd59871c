"""The results as a markdown page: machine, versions, date, command, then one row per run."""

from __future__ import annotations

import os
import shlex
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no TensorFlow import for the docs' renderers below
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


# Results files for the docs (docs/tables.py): a benchmark page as a JSON record, and the
# tables docs/performance.md renders from such records.


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def page_record(text: str) -> dict:
    """A results page as a record: its `- key: value` header lines (date, command, machine,
    load ...) in `meta`, its first table as `rows` (one dict per row, the cells as printed),
    and every other line after the table in `after` (notes, skipped, published counts)."""
    lines = text.split("\n")
    meta, rows, after, header = {}, [], [], None
    for i, line in enumerate(lines):
        if line.startswith("|") and header is None:
            header = _cells(line)
            body = [row for row in lines[i + 2 :] if row.startswith("|")]
            rows = [dict(zip(header, _cells(row), strict=True)) for row in body]
            after = [row for row in lines[i + 2 + len(body) :] if row.strip()]
            break
        if line.startswith("# "):
            meta["title"] = line[2:]
        elif line.startswith("- ") and ": " in line:
            key, value = line[2:].split(": ", 1)
            meta[key] = value.strip("`") if key == "command" else value
    return {"meta": meta, "columns": header or [], "rows": rows, "after": after}


def _read_page(path: str, commit: str) -> str:
    if not commit:
        with open(path) as f:
            return f.read()
    import subprocess

    return subprocess.run(
        ["git", "show", f"{commit}:{path}"], check=True, capture_output=True, text=True
    ).stdout


def convert_pages(specs: list[str], out: str) -> list[dict]:
    """`RUN=PATH[@COMMIT]` pages (from the work tree, or from git history at COMMIT) into one
    JSON-lines results file, one record per page, labelled `run`."""
    records = []
    for spec in specs:
        run, _, source = spec.partition("=")
        path, _, commit = source.partition("@")
        record = {"run": run, "page": path, "page_commit": commit or None}
        record["converted_by"] = command_line("benchmarks.report", [out, *specs])
        record.update(page_record(_read_page(path, commit)))
        records.append(record)
    import json

    with open(out, "w") as f:
        for record in records:
            f.write(json.dumps(record) + "\n")
    return records


def append_record(
    text: str, results: list[Result], path: str, run: str = "", page: str = ""
) -> dict:
    """Appends a train-step run to a results file: the page as a record (`page_record`) plus
    every timed window of every implementation (ms and CPU ms per step)."""
    import json

    record = {"run": run, "page": page or None, "page_commit": None, **page_record(text)}
    record["run"] = run or record["meta"].get("date", "")
    record["windows"] = {
        r.impl: {"window_ms": r.timing.window_ms, "window_cpu_ms": r.timing.window_cpu_ms}
        for r in results
        if r.ok
    }
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")
    return record


def number(cell: str) -> float | None:
    """A printed cell as a number ('1,129' -> 1129.0); None for '-' and the like."""
    try:
        return float(cell.replace(",", "").rstrip("x"))
    except ValueError:
        return None


def _records(results: list[dict], runs: str) -> list[dict]:
    wanted = runs.split(",")
    by_run = {r["run"]: r for r in results}
    missing = [run for run in wanted if run not in by_run]
    if missing:
        raise ValueError(f"Received: runs {missing}. Expected some of {sorted(by_run)}.")
    return [by_run[run] for run in wanted]


def _torch_threads(record: dict, impl: str) -> str:
    for line in record["after"]:
        if line.startswith(f"- {record['rows'][0]['model']}/{impl}:") and "intra-op thread" in line:
            return line.split("device cpu, ")[1].split(" intra-op")[0]
    return ""


def ganzoo_step(record: dict) -> str | None:
    """Which update ganzoo's row ran, read from the FLOPs: 'textbook step' when its matmuls and
    convolutions are the keras-io reference's, 'reuse_fake' when they are fewer (one G forward
    left out); None without a reference row to compare with."""
    flops = {row["impl"]: number(row.get("GFLOP/step", "-")) for row in record["rows"]}
    ours, ref = flops.get("ganzoo"), flops.get("keras_ref") or flops.get("torch")
    if not ours or not ref:
        return None
    return "textbook step" if ours > 0.99 * ref else "reuse_fake"


def impl_label(record: dict, row: dict) -> str:
    """The implementation as the docs name it: ganzoo's step (textbook or reuse_fake, read from
    the FLOPs), torch's thread count."""
    impl = row["impl"]
    if impl == "ganzoo" and ganzoo_step(record):
        return f"ganzoo ({ganzoo_step(record)})"
    if impl == "torch":
        threads = _torch_threads(record, impl)
        return f"torch ({threads} thread{'s' if threads != '1' else ''})" if threads else impl
    return impl


RUN_COLUMNS = {
    "short": (
        "run",
        "impl",
        "ms/step (median)",
        "windows min-max ms",
        "img/s",
        "CPU ms/step (median)",
        "GFLOP/step",
        "% of peak",
    ),
    "full": (
        "impl",
        "XLA",
        "ms/step (median)",
        "windows min-max ms",
        "img/s",
        "CPU ms/step (median)",
        "first step s",
        "GFLOP/step",
        "% of peak",
        "CPU cores used",
        "other jobs' cores",
        "peak RSS MiB",
    ),
}


def runs_table(results: list[dict], runs: str, columns: str = "short") -> str:
    """The rows of the named train-step runs (comma list of `run` labels), one line per
    implementation, as the pages give them (img/s and % of peak from unrounded times)."""
    from docs.tables import markdown_table

    header = [c for c in RUN_COLUMNS[columns]]
    lines = []
    for record in _records(results, runs):
        for row in record["rows"]:
            cells = {**row, "run": record["run"]}
            cells["impl"] = impl_label(record, row)
            lines.append([cells.get(c, "-") for c in header])
    return markdown_table(header, lines)


def _ratio(numerator: float | None, denominator: float | None) -> str:
    return "-" if not numerator or not denominator else f"{numerator / denominator:.2f}x"


def equal_work_table(results: list[dict], runs: str) -> str:
    """ganzoo's textbook step against keras-io's and PyTorch's, run by run (same networks, same
    update, one run each): how many times ganzoo's images/s each is, by wall and by CPU time."""
    from docs.tables import markdown_table

    lines = []
    for record in _records(results, runs):
        rows = {row["impl"]: row for row in record["rows"]}
        if ganzoo_step(record) != "textbook step":
            raise ValueError(f"run {record['run']}: ganzoo did not run the textbook step")
        ours = rows["ganzoo"]
        for ref in ("keras_ref", "keras_ref_xla", "torch"):
            if ref not in rows:
                continue
            theirs = rows[ref]
            lines.append(
                [
                    record["run"],
                    impl_label(record, theirs),
                    ours["ms/step (median)"],
                    theirs["ms/step (median)"],
                    _ratio(number(theirs["ms/step (median)"]), number(ours["ms/step (median)"])),
                    _ratio(
                        number(theirs["CPU ms/step (median)"]),
                        number(ours["CPU ms/step (median)"]),
                    ),
                    record["meta"]["load average (1, 5, 15 min) before"].split(";")[0],
                ]
            )
    header = [
        "run",
        "reference",
        "ganzoo ms/step",
        "reference ms/step",
        "ganzoo's speed-up (wall)",
        "ganzoo's speed-up (CPU time)",
        "load before",
    ]
    return markdown_table(header, lines)


def main(argv: list[str] | None = None) -> None:
    """python -m benchmarks.report OUT.jsonl RUN=PAGE[@COMMIT] ...: pages into a results file."""
    argv = sys.argv[1:] if argv is None else argv
    convert_pages(argv[1:], argv[0])


if __name__ == "__main__":
    main()
