"""Time to quality (issue #17): FID against training wall time for ganzoo's Fashion-MNIST
recipes and TensorFlow's DCGAN tutorial recipe (benchmarks/tf_tutorial_dcgan.py), trained one
after the other on this machine; one JSON line per evaluation appended to a results file.

    python -m benchmarks.time_to_quality --out=benchmarks/results/time_to_quality.jsonl \\
        --plot=docs/images/time_to_quality.png

Every recipe reads ganzoo's pipeline (`train_lib.build_dataset` of its config, `data.source=auto`)
and trains under Keras's `fit`: ganzoo's recipes with `train_lib.build_gan` (their real step and
defaults: no checkpoints, sample pictures or logs, for none of the recipes), the tutorial with
keras-io's `train_step`. Each is scored before its first step, every `--eval_every_s` seconds of
training time (a time schedule gives the recipes the same points on the plot's axis, whatever
their step costs), and when it stops: at `--budget_s` seconds of training or at its own length
(`train.steps`; the tutorial's 50 epochs), whichever comes first. The score is the evaluation
of ganzoo's training runs (`Family.make_evaluator`, as `--mode=eval` without its memorisation
check): FID and classifier score of eval.num_samples samples (10,000) in the Fashion-MNIST
domain classifier's features against the 10,000 test images, one evaluator for every recipe.

`train_wall_s` is training time only: the clock stops while an evaluation runs and restarts
after it; it starts when `fit` starts (the first step's tracing counts, building the models and
the evaluator does not). Each recipe runs in its own process (`--isolate`, default) and starts
afresh: records of a run that did not finish stay in the file, and tables skip them. A recipe
with a finished run in `--out` is not run again.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import math
import os
import subprocess
import sys
import time

from docs.tables import markdown_table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIAL = "tf_tutorial"
DEFAULT = "fashion_mnist_dcgan"  # ganzoo's default, the recipe the target names
RECIPES = (DEFAULT, "fashion_mnist_best", TUTORIAL)
EVAL_EXPERIMENT = DEFAULT  # the config whose data and eval sections score every recipe
TARGET_RATIO = 0.5  # the issue: the tutorial's final FID in half its time or less
METRICS = ("fid", "score", "kid", "precision", "recall")


# -- the clock ---------------------------------------------------------------------------------
class TrainClock:
    """Training wall time with evaluations left out, and the evaluations' schedule.

    `start()` when training starts; `tick()` at the end of every step adds the time since the
    last `start()`/`tick()`/`resume()` and says what is due: "budget" once `budget_s` seconds
    of training are spent, "eval" once the next multiple of `every_s` is passed (`due_s` then
    holds it), else None. `resume()` after an evaluation: the time it took is not training.
    """

    def __init__(self, every_s: float, budget_s: float, now=time.perf_counter) -> None:
        self.every_s, self.budget_s, self.now = every_s, budget_s, now
        self.train_s = 0.0
        self.next_due = every_s
        self.due_s = None
        self._since = None

    def start(self) -> None:
        self._since = self.now()

    resume = start

    def tick(self) -> str | None:
        now = self.now()
        self.train_s += now - self._since
        self._since = now
        if self.train_s >= self.budget_s:
            return "budget"
        if self.every_s > 0 and self.train_s >= self.next_due:
            self.due_s = self.next_due
            while self.next_due <= self.train_s:  # a step longer than every_s skips a slot
                self.next_due += self.every_s
            return "eval"
        return None


def _clock_callback(clock: TrainClock, evaluate, total_steps: int):
    """A Keras callback that runs `clock` and calls `evaluate(step, train_s, due_s)` when an
    evaluation is due (not at the last step: the final evaluation follows `fit`), and stops
    `fit` when the budget is spent (`stopped` is then True)."""
    import keras

    class ClockCallback(keras.callbacks.Callback):
        stopped = False

        def on_train_begin(self, logs=None):
            clock.start()

        def on_train_batch_end(self, batch, logs=None):
            # Reading the counter waits for the step to end (on a GPU it runs asynchronously).
            step = int(self.model.g_optimizer.iterations.numpy())
            event = clock.tick()
            if event == "budget":
                self.stopped = self.model.stop_training = True
            elif event == "eval" and step < total_steps:
                evaluate(step, clock.train_s, clock.due_s)
                clock.resume()

    return ClockCallback()


# -- recipes -----------------------------------------------------------------------------------
def registered(name: str) -> bool:
    from ganzoo.experiment import list_experiments

    return name == TUTORIAL or name in list_experiments()


def recipe_config(name: str, sets: dict):
    """The ganzoo config a recipe trains with: its experiment's, or for the tutorial
    fashion_mnist_dcgan's with the tutorial's batch and length; `sets` applied last."""
    from benchmarks import tf_tutorial_dcgan
    from ganzoo.experiment import get_experiment

    if name == TUTORIAL:
        return get_experiment(EVAL_EXPERIMENT, {**tf_tutorial_dcgan.CONFIG_OVERRIDES, **sets})
    return get_experiment(name, sets)


def build_model(name: str, config):
    from benchmarks import tf_tutorial_dcgan
    from ganzoo import train_lib

    if name == TUTORIAL:
        return tf_tutorial_dcgan.build(config.seed)
    if config.train.deterministic:
        train_lib.enable_determinism(config.seed)
    return train_lib.build_gan(config)


def make_evaluator(sets: dict, stream=None):
    """The one evaluator of every recipe: fashion_mnist_dcgan's eval section (with `sets`)."""
    from ganzoo import eval_lib

    return eval_lib.make_evaluator(recipe_config(EVAL_EXPERIMENT, sets), stream)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def run_recipe(name: str, sets: dict, evaluator, budget_s: float, every_s: float, emit) -> None:
    """Trains recipe `name` for at most `budget_s` seconds of training time, calling `emit`
    with the record of each evaluation (the last one has `final: true` and `end`)."""
    from benchmarks import machine
    from benchmarks.machine import code_commit
    from ganzoo import train_lib
    from ganzoo.data.fit_options import without_autotune_model
    from ganzoo.family import family_of

    config = recipe_config(name, sets)
    gan = build_model(name, config)
    dataset = without_autotune_model(train_lib.build_dataset(config))
    if name != TUTORIAL:
        family_of(config).prepare_training(gan, config, dataset)
    base = dict(
        recipe=name,
        run=_now(),
        batch=config.train.batch_size,
        steps=config.train.steps,
        budget_s=budget_s,
        eval_every_s=every_s,
        num_samples=config.eval.num_samples,
        sets=sets,
        commit=code_commit(),
        cpu=f"{machine.cpu_model()}, {os.cpu_count()} logical cores",
        gpu=", ".join(machine.gpus()) or "none",
    )

    def evaluate(step, train_s, due_s, end=None):
        load = os.getloadavg()[0]  # the minute of training before this evaluation
        result = evaluator.evaluate(gan)
        metrics = result["metrics"]
        record = dict(
            base,
            step=step,
            images=step * config.train.batch_size,
            train_wall_s=round(train_s, 2),
            due_s=due_s,
            **{k: metrics[k] for k in METRICS if k in metrics},
            eval_s=result["seconds"],
            load=round(load, 2),
            date=_now(),
        )
        if end:
            record.update(final=True, end=end)
        emit(record)

    evaluate(0, 0.0, 0.0)
    clock = TrainClock(every_s, budget_s)
    callback = _clock_callback(clock, evaluate, config.train.steps)
    gan.fit(
        dataset,
        epochs=1,
        steps_per_epoch=config.train.steps,
        callbacks=[callback],
        verbose=0,
        shuffle=False,
    )
    step = int(gan.g_optimizer.iterations.numpy())
    evaluate(step, clock.train_s, None, end="budget" if callback.stopped else "steps")


# -- results -----------------------------------------------------------------------------------
def load_records(path: str) -> list[dict]:
    """The evaluation records of a results file (notes lines, without `recipe`, skipped)."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [r for r in map(json.loads, filter(str.strip, f)) if "recipe" in r]


def finished_runs(records: list[dict]) -> dict[str, list[dict]]:
    """{recipe: the evaluations of its latest finished run, in training-time order}."""
    runs: dict[tuple, list[dict]] = {}
    for r in records:
        if "recipe" in r:
            runs.setdefault((r["recipe"], r["run"]), []).append(r)
    out: dict[str, list[dict]] = {}
    for (recipe, _run), rows in sorted(runs.items()):  # later runs (ISO dates) win
        if any(r.get("final") for r in rows):
            out[recipe] = sorted(rows, key=lambda r: (r["train_wall_s"], r["step"]))
    return out


def time_to_reach(records: list[dict], recipe: str = DEFAULT, reference: str = TUTORIAL):
    """When `recipe` first scored an FID at or below `reference`'s final FID, against the
    time `reference` trained for it: {target_fid, target_s, reached_s (None if never), step,
    ratio, met (ratio <= TARGET_RATIO)}; None until both have a finished run. Evaluations are
    discrete, so `reached_s` is the first evaluation at or below the target: an upper bound."""
    runs = finished_runs(records)
    if recipe not in runs or reference not in runs:
        return None
    final = next(r for r in reversed(runs[reference]) if r.get("final"))
    target, target_s = final["fid"], final["train_wall_s"]
    hit = next((r for r in runs[recipe] if r["fid"] <= target), None)
    reached_s = hit["train_wall_s"] if hit else None
    ratio = reached_s / target_s if hit and target_s > 0 else None
    return dict(
        target_fid=target,
        target_s=target_s,
        reached_s=reached_s,
        step=hit["step"] if hit else None,
        ratio=ratio,
        met=ratio is not None and ratio <= TARGET_RATIO,
        best_fid=min(r["fid"] for r in runs[recipe]),
        recipe_s=runs[recipe][-1]["train_wall_s"],
    )


def reach_line(records: list[dict], recipe: str = DEFAULT, reference: str = TUTORIAL) -> str:
    """One sentence: `time_to_reach` of `recipe` against `reference`."""
    t = time_to_reach(records, recipe, reference)
    if t is None:
        return f"`{recipe}` against `{reference}`: not measured yet."
    goal = f"`{reference}`'s final FID ({t['target_fid']:.2f} after {t['target_s']:.0f} s)"
    if t["reached_s"] is None:
        return (
            f"`{recipe}` did not reach {goal} in its {t['recipe_s']:.0f} s of training "
            f"(best FID {t['best_fid']:.2f}): target of {TARGET_RATIO}x the time **not met**."
        )
    verdict = "met" if t["met"] else "**not met**"
    return (
        f"`{recipe}` reached {goal} at the evaluation after {t['reached_s']:.0f} s of training "
        f"(step {t['step']:,}): **{t['ratio']:.2f}x** `{reference}`'s time "
        f"(target {TARGET_RATIO}x or less: {verdict})."
    )


def _order(runs: dict, recipes) -> list[str]:
    return list(recipes) or [r for r in RECIPES if r in runs] + sorted(set(runs) - set(RECIPES))


def table(records: list[dict], *recipes: str) -> str:
    """docs/tables.py renderer: one row per recipe (its latest finished run), then for each of
    ganzoo's recipes the time it took to reach the tutorial's final FID."""
    runs = finished_runs(records)
    rows = []
    for name in _order(runs, recipes):
        evals = runs.get(name)
        if not evals:
            rows.append([f"`{name}`", "not measured yet", "", "", "", "", "", ""])
            continue
        first, last = evals[0], evals[-1]
        loads = [r["load"] for r in evals]
        rows.append(
            [
                f"`{name}` (batch {last['batch']}, {last['commit']})",
                f"{last['step']:,} ({last['images']:,} images)",
                f"{last['train_wall_s']:.0f} s ({last['end']})",
                f"{first['fid']:.2f} → **{last['fid']:.2f}**",
                f"{min(r['fid'] for r in evals):.2f}",
                f"{last['score']:.2f}",
                f"{len(evals)} (every {last['eval_every_s']:g} s)",
                f"{min(loads):.1f}–{max(loads):.1f}",
            ]
        )
    header = [
        "recipe",
        "steps",
        "training time (end)",
        "FID start → end",
        "best FID",
        "score at end",
        "evaluations",
        "load",
    ]
    lines = [markdown_table(header, rows), ""]
    for name in _order(runs, recipes):
        if name != TUTORIAL and TUTORIAL in runs and name in runs:
            lines.append(f"- {reach_line(records, name)}")
    return "\n".join(lines).rstrip()


def curve_table(records: list[dict], *recipes: str) -> str:
    """docs/tables.py renderer: the points of the plot, FID (and step) per scheduled
    evaluation time, one column per recipe; the last row each recipe's final evaluation."""
    runs = finished_runs(records)
    names = [n for n in _order(runs, recipes) if n in runs]
    slots = sorted({r["due_s"] for n in names for r in runs[n] if r.get("due_s") is not None})
    rows = []
    for due in slots:
        cells = []
        for name in names:
            r = next((r for r in runs[name] if r.get("due_s") == due), None)
            cells.append(f"{r['fid']:.2f} (step {r['step']:,})" if r else "")
        rows.append([f"{due:g} s", *cells])
    finals = [next(r for r in reversed(runs[n]) if r.get("final")) for n in names]
    rows.append(
        [
            "end",
            *(f"{r['fid']:.2f} (step {r['step']:,}, {r['train_wall_s']:.0f} s)" for r in finals),
        ]
    )
    return markdown_table(["training time", *(f"`{n}` FID" for n in names)], rows)


# -- the picture -------------------------------------------------------------------------------
COLOURS = [(31, 119, 180), (44, 160, 44), (214, 39, 40), (148, 103, 189), (255, 127, 14)]


def _font(size: int):
    from PIL import ImageFont

    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu"):
        path = os.path.join(folder, "DejaVuSans.ttf")
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks of a log axis covering [low, high]."""
    ticks = []
    for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        ticks += [m * 10.0**e for m in (1, 2, 5) if low <= m * 10.0**e <= high]
    return ticks or [low, high]


def _time_ticks(high: float) -> list[float]:
    """At most 9 round ticks (seconds) from 0 to `high`."""
    steps = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
    step = next((s for s in steps if high / s <= 8), 3600 * math.ceil(high / (8 * 3600)))
    return [i * step for i in range(int(high // step) + 1)]


def plot(records: list[dict], path: str, *recipes: str, size=(900, 560)) -> str:
    """Writes the PNG of FID (log scale) against training wall time, one line per recipe's
    latest finished run, with the tutorial's final FID as a dashed level; returns `path`.
    Drawn with Pillow (a ganzoo dependency; matplotlib is not one)."""
    from PIL import Image, ImageDraw

    from ganzoo.workdir import atomic_write_bytes

    runs = finished_runs(records)
    names = [n for n in _order(runs, recipes) if n in runs]
    if not names:
        raise ValueError(f"Received: no finished run in the records. Expected one of {RECIPES}.")
    width, height = size
    left, right, top, bottom = 80, 24, 40, 60
    fids = [max(r["fid"], 1e-3) for n in names for r in runs[n]]
    low, high = 10 ** math.floor(math.log10(min(fids))), 10 ** math.ceil(math.log10(max(fids)))
    t_max = max(max(r["train_wall_s"] for r in runs[n]) for n in names) or 1.0

    def xy(t: float, fid: float) -> tuple[float, float]:
        x = left + (width - left - right) * t / t_max
        frac = (math.log10(max(fid, 1e-3)) - math.log10(low)) / math.log10(high / low)
        return x, height - bottom - (height - top - bottom) * frac

    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    font, small = _font(14), _font(12)
    for fid in _log_ticks(low, high):
        _, y = xy(0, fid)
        d.line([(left, y), (width - right, y)], fill=(230, 230, 230))
        d.text((left - 6, y), f"{fid:g}", fill="black", font=small, anchor="rm")
    for t in _time_ticks(t_max):
        x, _ = xy(t, low)
        d.line([(x, top), (x, height - bottom)], fill=(230, 230, 230))
        d.text((x, height - bottom + 6), f"{t:g}", fill="black", font=small, anchor="mt")
    d.rectangle([left, top, width - right, height - bottom], outline="black")
    d.text((width / 2, height - 18), "training wall time (s)", fill="black", font=font, anchor="mm")
    title = "FID (Fashion-MNIST domain classifier, log scale)"
    d.text((12, top - 22), title, fill="black", font=font)
    grey = (120, 120, 120)

    def dashed(x0: float, x1: float, y: float) -> None:
        for x in range(int(x0), int(x1), 12):
            d.line([(x, y), (min(x + 6, x1), y)], fill=grey, width=1)

    legend = [(name, COLOURS[i % len(COLOURS)]) for i, name in enumerate(names)]
    if TUTORIAL in runs:
        final = next(r for r in reversed(runs[TUTORIAL]) if r.get("final"))
        dashed(left, width - right, xy(0, final["fid"])[1])
        legend.append((f"{TUTORIAL}'s final FID", None))
    for name, colour in legend[: len(names)]:
        points = [xy(r["train_wall_s"], r["fid"]) for r in runs[name]]
        if len(points) > 1:
            d.line(points, fill=colour, width=2)
        for x, y in points:
            d.ellipse([x - 3, y - 3, x + 3, y + 3], fill=colour)
    lx = width - right - 260  # the legend, top right, over a white box
    d.rectangle([lx - 8, top + 1, width - right - 1, top + 12 + 20 * len(legend)], fill="white")
    for i, (name, colour) in enumerate(legend):
        ly = top + 12 + 20 * i
        if colour is None:
            dashed(lx, lx + 28, ly)
        else:
            d.line([(lx, ly), (lx + 28, ly)], fill=colour, width=3)
        d.text((lx + 36, ly), name, fill="black", font=font, anchor="lm")
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    atomic_write_bytes(path, buffer.getvalue())
    return path


# -- command line ------------------------------------------------------------------------------
def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"Received: --set {text!r}. Expected KEY=VALUE.")
    return key, value


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes"):
        return True
    if text.lower() in ("0", "false", "no"):
        return False
    raise argparse.ArgumentTypeError(f"Received: {text!r}. Expected true or false.")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.time_to_quality", description=__doc__.split("\n")[0]
    )
    p.add_argument("--out", required=True, help="JSON-lines results file (appended)")
    p.add_argument("--recipes", default=",".join(RECIPES), help="comma list, run in this order")
    p.add_argument("--budget_s", type=float, default=900.0, help="training seconds per recipe")
    p.add_argument("--eval_every_s", type=float, default=60.0, help="training seconds apart")
    p.add_argument(
        "--set",
        dest="sets",
        type=_key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="config override of every recipe (the tutorial's data and length too) and of "
        "the evaluation, as ganzoo.run's --set",
    )
    p.add_argument("--isolate", type=_bool, default=True, help="one process per recipe")
    p.add_argument("--plot", default="", help="then write the PNG of the --out file's runs here")
    return p.parse_args(argv)


def _child_argv(args, recipe: str) -> list[str]:
    argv = [sys.executable, "-m", "benchmarks.time_to_quality", f"--out={args.out}"]
    argv += [f"--recipes={recipe}", f"--budget_s={args.budget_s}"]
    argv += [f"--eval_every_s={args.eval_every_s}", "--isolate=false"]
    return argv + [f"--set={k}={v}" for k, v in args.sets]


def main(argv=None) -> None:
    args = parse_args(argv)
    sets = dict(args.sets)
    todo = []
    for name in filter(None, args.recipes.split(",")):
        if not registered(name):
            print(f"Skipping {name}: no such experiment is registered.", flush=True)
        elif name in finished_runs(load_records(args.out)):
            print(f"Skipping {name}: a finished run is in {args.out}.", flush=True)
        else:
            todo.append(name)

    def emit(record):
        with open(args.out, "a") as f:
            f.write(json.dumps(record) + "\n")
        print(
            f"{record['recipe']} step {record['step']:,} after {record['train_wall_s']:.1f} s "
            f"of training: FID {record['fid']:.3f}, score {record['score']:.3f} "
            f"(evaluation {record['eval_s']:.0f} s, load {record['load']:.2f})"
            + (f"; stopped ({record['end']})" if record.get("final") else ""),
            flush=True,
        )

    evaluator = None
    for name in todo:
        if args.isolate:
            path = os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))
            subprocess.run(
                _child_argv(args, name), env={**os.environ, "PYTHONPATH": path}, check=True
            )
            continue
        if evaluator is None:
            evaluator = make_evaluator(sets)
        run_recipe(name, sets, evaluator, args.budget_s, args.eval_every_s, emit)
    if args.plot:
        print(f"Wrote {plot(load_records(args.out), args.plot)}", flush=True)


if __name__ == "__main__":
    main()
