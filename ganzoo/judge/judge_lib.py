"""`--mode=judge`: run folders -> image pool + answers file -> web server; or the report."""

from __future__ import annotations

import json
import os
import sys

from ganzoo.judge import hype
from ganzoo.judge.answers import AnswerLog, JudgeError, check_session, session_paths
from ganzoo.judge.pool import Pool, Run, build_pool, run_names
from ganzoo.judge.server import JudgeApp, make_server, print_banner, url
from ganzoo.workdir import Workdir, atomic_write_json


def load_runs(workdirs: list[str], config) -> list[Run]:
    """The runs' GANs at their latest checkpoints; the first run's config is `config` (with the
    --set overrides), the others' their own config.json."""
    from ganzoo import train_lib

    runs = []
    for i, (path, name) in enumerate(zip(workdirs, run_names(workdirs), strict=True)):
        expected = "Pass the folders of trained runs to --mode=judge."
        own = config if i == 0 else Workdir(path).require_config(expected)
        own, gan, step = train_lib.load_run(path, own)
        runs.append(Run(os.path.normpath(path), name, step, gan, own))
    return runs


def describe_runs(runs: list[Run]) -> list[dict]:
    return [
        {
            "name": run.name,
            "step": run.step,
            "conditional": run.conditional,
            "ema": run.ema,
        }
        for run in runs
    ]


def session_description(runs: list[Run], pool: Pool, judge) -> dict:
    """What fixes a session's images: a restart with another one is refused (ids would lie)."""
    return {
        "runs": describe_runs(runs),
        "paths": {run.name: os.path.abspath(run.path) for run in runs},
        "num_images": judge.num_images,
        "real_fraction": judge.real_fraction,
        "seed": judge.seed,
        "real_split": pool.real_split,
        "fake_only": pool.fake_only,
    }


def start(workdirs: list[str], config, stream=None, answers_dir: str | None = None):
    """(server bound to judge.host:judge.port, app, answers path): everything but serving.
    Answers go to the first run's folder (or `answers_dir`) under human_eval/."""
    stream = stream or sys.stdout
    judge = config.judge
    # Bound first: a port in use fails in a second, before any model is loaded or file written.
    server = make_server(None, judge.host, judge.port)
    try:
        app, answers_path = _session(workdirs, config, stream, answers_dir)
    except BaseException:
        server.server_close()
        raise
    server.app = app
    return server, app, answers_path


def _session(workdirs, config, stream, answers_dir):
    judge = config.judge
    runs = load_runs(workdirs, config)
    print(
        f"Generating {judge.num_images} images from {len(runs)} run(s)...", file=stream, flush=True
    )
    pool = build_pool(runs, judge)
    answers_path, session_path = session_paths(answers_dir or workdirs[0], judge.session)
    check_session(session_path, session_description(runs, pool, judge))
    log = AnswerLog(answers_path)
    if log.torn_lines:
        print(f"Skipped {log.torn_lines} torn line(s) in {answers_path}.", file=stream)
    app = JudgeApp(pool, log, judge.session, describe_runs(runs), judge.bootstrap, judge.seed)
    return app, answers_path


def serve(workdirs: list[str], config, stream=None) -> None:
    """Serves the page until Ctrl-C (answers are on disk as they come)."""
    stream = stream or sys.stdout
    server, app, answers_path = start(workdirs, config, stream)
    print_banner(server, app, answers_path, stream)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(
            f"Stopped; {len(app.log.records)} answers in {answers_path}. Run the same command "
            "to continue the session.",
            file=stream,
        )
    finally:
        server.server_close()


def report(workdir: str, config, stream=None) -> dict:
    """Scores a session from its files alone (no model, no server); writes
    human_eval/report.json and prints it."""
    stream = stream or sys.stdout
    judge = config.judge
    answers_path, session_path = session_paths(workdir, judge.session)
    if not os.path.exists(session_path):
        raise JudgeError(
            f"No judging session {judge.session!r} in {os.path.join(workdir, 'human_eval')!r}. "
            "Start one with --mode=judge (without judge.report=true), or name another with "
            "--set judge.session=NAME."
        )
    with open(session_path, encoding="utf-8") as f:
        description = json.load(f)
    runs = description["runs"]
    records = AnswerLog(answers_path).records
    result = hype.report(
        records,
        [run["name"] for run in runs],
        [run["name"] for run in runs if run["conditional"]],
        judge.bootstrap,
        judge.seed,
    )
    result.update(
        session=judge.session,
        answers_path=answers_path,
        runs=runs,
        fake_only=description["fake_only"],
        summary=hype.describe(result["overall"]),
        metrics=_eval_results(runs, description.get("paths", {})),
    )
    result["path"] = atomic_write_json(os.path.join(workdir, "human_eval", "report.json"), result)
    print(format_report(result), file=stream)
    return result


def _eval_results(runs: list[dict], paths: dict) -> dict:
    """Each run's --mode=eval result for the judged step, when there is one (to set metrics
    beside the human score)."""
    out = {}
    for run in runs:
        folder = paths.get(run["name"])
        path = os.path.join(folder or "", "eval", f"step_{run['step']:06d}.json")
        if folder and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                metrics = json.load(f).get("metrics", {})
            out[run["name"]] = {k: v for k, v in metrics.items() if isinstance(v, (int, float))}
    return out


def format_report(result: dict) -> str:
    lines = [f"Session {result['session']!r} ({result['answers_path']}):"]
    if result["fake_only"]:
        lines.append(
            "Fake-only session (no real images were available): the score is the share of "
            "fakes judged real, not HYPE-infinity."
        )
    lines.append("  all: " + result["summary"])
    if len(result["per_run"]) > 1:
        for name, score in result["per_run"].items():
            lines.append(f"  run {name} (its fakes + the shared reals): {hype.describe(score)}")
    for name, classes in result["per_class"].items():
        for label, score in classes.items():
            lines.append(f"  run {name}, class {label}: {hype.describe(score)}")
    for name, metrics in result["metrics"].items():
        shown = ", ".join(f"{k} {v:.4g}" for k, v in sorted(metrics.items()))
        lines.append(f"  run {name} --mode=eval at the judged step: {shown}")
    lines.append(
        f"Written to {os.path.join(os.path.dirname(result['answers_path']), 'report.json')}"
    )
    return "\n".join(lines)


def main(workdirs: list[str], config, stream=None) -> None:
    """The CLI's --mode=judge."""
    if config.judge.report:
        report(workdirs[0], config, stream)
    else:
        serve(workdirs, config, stream)


__all__ = ["main", "report", "serve", "start", "url"]
