import json
import subprocess

from benchmarks import machine, recipe_search


def test_records_each_run_once_and_skips_finished_ones(tmp_path, capsys):
    out = tmp_path / "search.jsonl"
    out.write_text(json.dumps({"note": "a note line is kept and ignored"}) + "\n")
    grid = json.dumps(
        [
            {"train.steps": 3, "model.width": 8},
            {"train.steps": 3, "model.width": 8, "stabilizers.pack": 2},
        ]
    )
    args = ["--experiment=ring8_gan", f"--grid={grid}", "--seeds=0", f"--out={out}"]
    recipe_search.main(args)
    records = [json.loads(line) for line in out.read_text().splitlines()][1:]
    assert [r["overrides"].get("stabilizers.pack") for r in records] == [None, 2]
    for r in records:
        assert r["experiment"] == "ring8_gan" and r["seed"] == 0 and r["steps"] == 3
        assert 0 <= r["modes"] <= r["num_modes"] == 8 and 0.0 <= r["high_quality"] <= 1.0
    capsys.readouterr()
    recipe_search.main(args)  # everything is done: nothing trained, nothing appended
    assert capsys.readouterr().out == "" and len(out.read_text().splitlines()) == 3


def test_modes_table_shows_shipped_runs_per_seed_and_mean_std():
    def rec(seed, modes, hq, overrides=None):
        return dict(experiment="ring8_gan", overrides=overrides or {}, seed=seed, steps=8000,
                    modes=modes, num_modes=8, high_quality=hq, modes_with_any_sample=8,
                    kl_to_uniform=0.01, wall_s=30.0 + seed, load_before=1.0, commit="abc")  # fmt: skip

    records = [rec(1, 6, 0.90), rec(0, 8, 0.96), rec(2, 7, 0.93), rec(3, 1, 0.1, {"x": 1})]
    table = recipe_search.modes_table(records, "ring8_gan", "grid25_gan")
    row, missing = table.splitlines()[2:]
    assert "| 8, 6, 7 |" in row and "**7.0 ± 1.0** / 8" in row and "| 1 of 3 |" in row
    assert "96.0, 90.0, 93.0" in row and "**93.0 ± 3.0**" in row and "30–32 s" in row
    assert "not measured yet" in missing


def test_commit_is_marked_dirty_for_changed_code_but_not_for_growing_results(tmp_path, monkeypatch):
    # machine.code_commit stamps the records of recipe_search, zoo_protocol and time_to_quality.
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "ganzoo").mkdir()
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    (tmp_path / "ganzoo" / "model.py").write_text("x = 1\n")
    results = tmp_path / "benchmarks" / "results" / "results.jsonl"
    results.write_text("{}\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    monkeypatch.chdir(tmp_path)
    clean = machine.code_commit()
    assert clean and "+dirty" not in clean
    results.write_text("{}\n{}\n")  # a run appended its record
    assert machine.code_commit() == clean
    (tmp_path / "ganzoo" / "model.py").write_text("x = 2\n")
    assert machine.code_commit() == clean + "+dirty"
