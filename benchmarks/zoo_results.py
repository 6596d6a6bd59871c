"""Trains and scores the zoo's offline experiments; their tables in docs/results.md render from
the results file.

    python -m benchmarks.zoo_results --runs=runs/zoo --results=docs/results/zoo.json --write_docs

Each run is `python -m ganzoo.run --experiment=NAME --workdir=RUNS/NAME_sSEED_nSTEPS --set
seed=SEED --set train.steps=STEPS`, timed end to end, then `--mode=eval` on the same folder.
Results go to --results (default RUNS/results.json; commit it to keep the figures) as they come,
one record per run keyed by its name, with the command, machine and load average beside the
metrics, so a second call only runs what is missing; `--table_only` renders from that file.
At most two processes at a time: the 2-D runs (one thread each) on two lanes, the image runs
one at a time on the first lane before its 2-D share.

The tables are `<!-- table: RESULTS benchmarks.zoo_results:FUNCTION ARGS -->` blocks of --docs
(docs/tables.py): `about` (the line on command, machine and dates), `modes_table ring8`,
`image_table fashion_mnist`, `seeds_table fashion_mnist`. `--write_docs` re-renders every block
of --docs, as `python docs/tables.py docs/results.md` does.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_string("runs", "runs/zoo", "Folder of the run folders and results.json.")
flags.DEFINE_list("groups", ["ring8", "grid25", "fashion_mnist"], "Groups of PLAN to run.")
flags.DEFINE_integer("lanes", 2, "Processes at a time (image runs never overlap each other).")
flags.DEFINE_bool("table_only", False, "Only render the tables from results.json.")
flags.DEFINE_bool(
    "write_docs", False, "Re-render the table blocks of --docs (docs/tables.py) afterwards."
)
flags.DEFINE_string("docs", "docs/results.md", "Markdown file whose table blocks to re-render.")
flags.DEFINE_string(
    "results", "", "Results JSON (default RUNS/results.json); commit it to keep the numbers."
)

SEEDS_2D = (0, 1, 2)
FASHION_STEPS = 1000  # ~130 ms per DCGAN step here: five objectives fit in half an hour.

# group -> [(experiment, seeds, steps[, --set overrides])]; steps None = the experiment's own.
# In the order they run: where time runs out, the last ones are the ones left out.
_REMEDIES = ("plain_gan", "minimax", "lsgan", "r1", "wgan_gp", "hinge_sn", "dragan")
PLAN: dict[str, list[tuple]] = {
    "ring8": [(f"ring8_{r}", SEEDS_2D, None) for r in _REMEDIES],
    "grid25": [(f"grid25_{r}", SEEDS_2D, None) for r in _REMEDIES],
    # The recipes (lsgan ...) never reuse the D step's fakes; dcgan is run as it was measured.
    "fashion_mnist": [("fashion_mnist_dcgan", (0,), FASHION_STEPS, ("train.reuse_fake=false",))]
    + [
        (f"fashion_mnist_{r}", (0,), FASHION_STEPS)
        for r in ("lsgan", "hinge_sngan", "dragan", "wgan_gp")
    ],
    # WGAN (weight clipping, 5 critic steps: the slowest) first, then the models that use labels.
    "fashion_mnist_more": [
        (f"fashion_mnist_{r}", (0,), FASHION_STEPS)
        for r in ("wgan", "infogan", "cgan", "acgan", "projection_cgan")
    ],
    "ring8_conditional": [("ring8_cgan", SEEDS_2D, None)],
    # Does mixed_bfloat16 cost sample quality? The same runs in both precisions, 3 seeds each.
    # Run with the step of the time (reuse_fake off, the default then), so both say so.
    "precision": [
        ("fashion_mnist_dcgan", SEEDS_2D, FASHION_STEPS, ("train.reuse_fake=false",)),
        (
            "fashion_mnist_dcgan",
            SEEDS_2D,
            FASHION_STEPS,
            ("train.precision=mixed_bfloat16", "train.reuse_fake=false"),
        ),
    ],
    # Does reusing the D step's fakes for G's update (one G forward fewer) cost sample quality?
    "reuse_fake": [
        ("fashion_mnist_dcgan", SEEDS_2D, FASHION_STEPS, ("train.reuse_fake=true",)),
        (
            "fashion_mnist_dcgan",
            SEEDS_2D,
            FASHION_STEPS,
            ("train.precision=mixed_bfloat16", "train.reuse_fake=true"),
        ),
    ],
}

# Lucic et al. 2018, "Are GANs Created Equal?", Table 2: best Inception FID on Fashion-MNIST
# over their large hyperparameter search.
LUCIC_FID = {
    "fashion_mnist_dcgan": ("NS GAN", 26.5),
    "fashion_mnist_wgan": ("WGAN", 21.5),
    "fashion_mnist_wgan_gp": ("WGAN-GP", 24.5),
    "fashion_mnist_lsgan": ("LSGAN", 30.7),
    "fashion_mnist_dragan": ("DRAGAN", 27.7),
}


@dataclasses.dataclass(frozen=True)
class Run:
    experiment: str
    seed: int
    steps: int | None
    sets: tuple[str, ...] = ()  # further --set key=value overrides

    @property
    def key(self) -> str:
        tag = "".join("_" + re.sub(r"[^A-Za-z0-9]+", "-", kv) for kv in self.sets)
        return f"{self.experiment}{tag}_s{self.seed}" + (f"_n{self.steps}" if self.steps else "")

    @property
    def is_image(self) -> bool:
        return not self.experiment.startswith(("ring8", "grid25"))


def plan_runs(groups) -> list[Run]:
    """The runs of `groups` in order, all seeds of an experiment before the next experiment."""
    return [
        Run(entry[0], seed, entry[2], tuple(entry[3]) if len(entry) > 3 else ())
        for group in groups
        for entry in PLAN[group]
        for seed in entry[1]
    ]


# -- running -----------------------------------------------------------------------------------
def _env(single_thread: bool) -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    if single_thread:  # a 2-layer MLP at batch 256 gains nothing from a second thread
        env.update(TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1", OMP_NUM_THREADS="1")
    return env


def _ganzoo(args: list[str], env: dict, log) -> None:
    cmd = [sys.executable, "-m", "ganzoo.run", *args]
    log.write("$ " + " ".join(cmd) + "\n")
    log.flush()
    subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, check=True)


def train_and_eval(run: Run, runs_dir: str) -> dict:
    """Trains `run` (timed, end to end) and scores its last checkpoint; the result record."""
    workdir = os.path.join(runs_dir, run.key)
    # A folder without a result is an interrupted run: resuming it would time only the rest.
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    sets = ["--set", f"seed={run.seed}"]
    for kv in run.sets:
        sets += ["--set", kv]
    if run.steps:
        sets += ["--set", f"train.steps={run.steps}"]
    env = _env(single_thread=not run.is_image)
    with open(os.path.join(workdir, "zoo_results.log"), "a") as log:
        start = time.perf_counter()
        _ganzoo([f"--experiment={run.experiment}", f"--workdir={workdir}", *sets], env, log)
        wall = time.perf_counter() - start
        _ganzoo(["--mode=eval", f"--workdir={workdir}"], env, log)
    with open(os.path.join(workdir, "config.json")) as f:
        steps = json.load(f)["train"]["steps"]
    with open(os.path.join(workdir, "eval", f"step_{steps:06d}.json")) as f:
        result = json.load(f)
    return {
        **dataclasses.asdict(run),
        "steps": steps,
        "wall_s": round(wall, 1),
        "metrics": result["metrics"],
        "extractor_name": result["extractor_name"],
        "classifier_test_accuracy": result.get("classifier_test_accuracy"),
        "date": result["date"],
    }


def run_all(
    runs: list[Run], runs_dir: str, results: dict, lanes: int, save, about: dict | None = None
) -> None:
    """Runs what `results` lacks on `lanes` threads; lane 0 takes the image runs first. Each
    record gets `about` (command, machine) and the load average before and after its run."""
    from benchmarks import machine

    todo = [r for r in runs if r.key not in results]
    images = collections.deque(r for r in todo if r.is_image)
    points = collections.deque(r for r in todo if not r.is_image)
    lock = threading.Lock()

    def lane(index: int) -> None:
        while True:
            with lock:
                queue = images if index == 0 and images else points
                if not queue:
                    return
                run = queue.popleft()
            print(f"[lane {index}] {run.key} ...", flush=True)
            load_before = machine.load_average()
            try:
                record = train_and_eval(run, runs_dir)
            except subprocess.CalledProcessError as e:
                print(f"[lane {index}] {run.key} FAILED ({e}); see its zoo_results.log", flush=True)
                continue
            record.update(about or {}, load_before=load_before, load_after=machine.load_average())
            with lock:
                results[run.key] = record
                save()
            print(f"[lane {index}] {run.key}: {record['wall_s']} s {record['metrics']}", flush=True)

    threads = [threading.Thread(target=lane, args=(i,)) for i in range(max(1, lanes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# -- tables ------------------------------------------------------------------------------------
def mean_std(values) -> tuple[float, float]:
    """Mean and sample standard deviation (n - 1; 0 for a single value) of `values`."""
    values = [float(v) for v in values]
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1) if len(values) > 1 else 0.0
    return mean, math.sqrt(var)


def fmt_mean_std(values, digits: int = 1, scale: float = 1.0) -> str:
    mean, std = mean_std([v * scale for v in values])
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def row_label(record: dict) -> str:
    """The row's name: `experiment`, or `experiment key=value ...` for extra overrides."""
    return " ".join([record["experiment"], *(record.get("sets") or ())])


def _display(label: str) -> str:
    name, *sets = label.split(" ")
    return f"`{name}`" + (f" ({', '.join(f'`{kv}`' for kv in sets)})" if sets else "")


def _by_experiment(results: dict, prefix: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for record in sorted(results.values(), key=lambda r: (row_label(r), r["seed"])):
        if record["experiment"].startswith(prefix):
            out.setdefault(row_label(record), []).append(record)
    return out


def _remedy_label(name: str, benchmark: str) -> str:
    from experiments.matrix import REMEDIES

    remedy = REMEDIES.get(name.removeprefix(benchmark + "_"))
    if remedy:
        return remedy.paper
    if name == f"{benchmark}_plain_gan":
        return "Non-saturating GAN (baseline, no remedy)"
    from ganzoo.experiment import list_experiments

    return list_experiments().get(name.split(" ")[0], name).split(":")[0]


def modes_table(results: dict, benchmark: str) -> str:
    """Markdown: one row per 2-D experiment, mean ± std over its seeds."""
    rows = [
        "| experiment | what | steps | seeds | wall time / run (s) | modes covered "
        "| per seed | high-quality % | KL(modes ‖ uniform) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    order = {f"{benchmark}_{r}": i for i, r in enumerate(_REMEDIES)}
    groups = _by_experiment(results, benchmark + "_")
    for name in sorted(groups, key=lambda n: order.get(n, len(order))):
        recs = groups[name]
        m = [r["metrics"] for r in recs]
        kls = [x["kl_to_uniform"] for x in m if x["kl_to_uniform"] is not None]
        rows.append(
            f"| {_display(name)} | {_remedy_label(name, benchmark)} | {recs[0]['steps']} "
            f"| {','.join(str(r['seed']) for r in recs)} "
            f"| {fmt_mean_std([r['wall_s'] for r in recs], 0)} "
            f"| {fmt_mean_std([x['modes_covered'] for x in m])} / {m[0]['num_modes']} "
            f"| {', '.join(str(x['modes_covered']) for x in m)} "
            f"| {fmt_mean_std([x['high_quality_fraction'] for x in m], 1, 100.0)} "
            f"| {fmt_mean_std(kls, 2) if kls else 'n/a'} |"
        )
    return "\n".join(rows)


def _class_accuracy(metrics: dict) -> str:
    value = metrics.get("class_accuracy")
    return "—" if value is None else f"{value:.3f}"


def image_table(results: dict, dataset: str) -> str:
    """Markdown: one row per image run, beside Lucic et al.'s best FID of the same loss."""
    rows = [
        "| experiment | steps | seed | wall time | FID (classifier) | KID | precision | recall "
        "| class accuracy | Lucic et al. best FID (Inception) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, recs in _by_experiment(results, dataset + "_").items():
        for r in recs:
            m = r["metrics"]
            paper = LUCIC_FID.get(name)
            rows.append(
                f"| {_display(name)} | {r['steps']} | {r['seed']} | {r['wall_s'] / 60:.1f} min "
                f"| {m['fid']:.2f} | {m['kid']:.3f} ± {m['kid_std']:.3f} "
                f"| {m['precision']:.3f} | {m['recall']:.3f} "
                f"| {_class_accuracy(m)} "
                f"| {f'{paper[0]} {paper[1]}' if paper else '—'} |"
            )
    return "\n".join(rows)


def seeds_table(results: dict, dataset: str) -> str | None:
    """Markdown: mean ± std over seeds of the image rows run with more than one seed."""
    groups = {k: v for k, v in _by_experiment(results, dataset + "_").items() if len(v) > 1}
    if not groups:
        return None
    rows = [
        "| experiment | steps | seeds | wall time / run (min) | FID (classifier) | KID "
        "| precision | recall |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, recs in groups.items():
        m = [r["metrics"] for r in recs]
        rows.append(
            f"| {_display(name)} | {recs[0]['steps']} | {','.join(str(r['seed']) for r in recs)} "
            f"| {fmt_mean_std([r['wall_s'] / 60 for r in recs])} "
            f"| {fmt_mean_std([x['fid'] for x in m], 2)} | {fmt_mean_std([x['kid'] for x in m], 3)} "
            f"| {fmt_mean_std([x['precision'] for x in m], 3)} "
            f"| {fmt_mean_std([x['recall'] for x in m], 3)} |"
        )
    return "\n".join(rows)


def command_line() -> str:
    """The command that trains what --results lacks and re-renders --docs' tables."""
    parts = ["python -m benchmarks.zoo_results", f"--runs={FLAGS.runs}"]
    if FLAGS.groups != ["ring8", "grid25", "fashion_mnist"]:
        parts.append(f"--groups={','.join(FLAGS.groups)}")
    if FLAGS.results:
        parts.append(f"--results={FLAGS.results}")
    if FLAGS.docs != "docs/results.md":
        parts.append(f"--docs={FLAGS.docs}")
    return " ".join([*parts, "--write_docs"])


def _span(values: list[str]) -> str:
    values = sorted(set(values))
    if not values:
        return "n/a"
    return values[0] if len(values) == 1 else f"{values[0]} to {values[-1]}"


def _loads(records: list[dict]) -> str:
    """The load averages of the records: the range of the 1-minute figures recorded at each
    run's start and end, and the notes of records from before they were recorded."""
    notes = list(dict.fromkeys(r["load_note"] for r in records if "load_note" in r))
    measured = [
        float(r[key].split()[0])
        for r in records
        for key in ("load_before", "load_after")
        if r.get(key, "n/a") != "n/a"
    ]
    if measured:
        notes.append(
            f"{min(measured):.1f}-{max(measured):.1f} (1 min, at each run's start and end)"
        )
    return "; ".join(notes) or "not recorded"


def about(results: dict) -> str:
    """Markdown: the command, machine, dates and load average of the records (a table block's
    first line)."""
    records = list(results.values())
    commands = sorted({r.get("command", "not recorded") for r in records})
    machines = sorted({f"{m['cpu']}; {m['versions']}" for r in records if (m := r.get("machine"))})
    return (
        "Generated by "
        + " and ".join(f"`{c}`" for c in commands)
        + f" on {' / '.join(machines) or 'a machine not recorded'}; "
        + f"runs dated {_span([r['date'][:10] for r in records])}; "
        + f"load average {_loads(records)}. "
        + "Wall time is the training command's, end to end (start-up included, evaluation not),"
        " while other jobs used the same cores: compare it only roughly."
    )


def main(argv) -> None:
    del argv
    os.makedirs(FLAGS.runs, exist_ok=True)
    path = FLAGS.results or os.path.join(FLAGS.runs, "results.json")
    results = {}
    if os.path.exists(path):
        with open(path) as f:
            results = json.load(f)

    def save() -> None:
        with open(path + ".tmp", "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(path + ".tmp", path)

    if not FLAGS.table_only:
        from benchmarks import machine

        described = machine.describe()
        provenance = {
            "command": command_line(),
            "machine": {k: described[k] for k in ("cpu", "memory", "gpu", "versions")},
        }
        run_all(plan_runs(FLAGS.groups), FLAGS.runs, results, FLAGS.lanes, save, provenance)

    parts = [about(results)]
    for bench in ("ring8", "grid25"):
        if any(r["experiment"].startswith(bench + "_") for r in results.values()):
            parts.append(modes_table(results, bench))
    if any(r["experiment"].startswith("fashion_mnist_") for r in results.values()):
        parts.append(image_table(results, "fashion_mnist"))
        parts.append(seeds_table(results, "fashion_mnist") or "")
    print("\n\n".join(parts))
    if FLAGS.write_docs:
        from docs import tables  # the same renderers, through the blocks that name `path`

        for problem in tables.process(FLAGS.docs, write=True):
            print(problem)
        print(f"re-rendered the table blocks of {FLAGS.docs} (those naming {path} show its runs)")


if __name__ == "__main__":
    # --write_docs renders through docs/tables.py, which imports the renderers by module name:
    # let it find this module, not import a second copy whose flags would clash with these.
    sys.modules.setdefault("benchmarks.zoo_results", sys.modules[__name__])
    app.run(main)
