import json

from benchmarks import recipe_search


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
