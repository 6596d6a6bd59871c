"""docs/renderers/results.py: the ring8 table of docs/results.md from its records."""

from docs.renderers import results


def test_ring8_table_one_row_per_record():
    metrics = dict(
        modes_covered=8, num_modes=8, high_quality_fraction=0.8893, kl_to_uniform=0.46427
    )
    record = {
        "experiment": "ring8_gan",
        "seed": 0,
        "date": "2026-12-05T12:28:07+00:00",
        "commit": "abc1234",
        "wall_s": 47.5,
        "load_before": "2.73 2.96 1.97",
        "metrics": metrics,
        "metrics_min_count_100": {**metrics, "modes_covered": 5},
    }
    lines = results.ring8_table({"runs": [record, {**record, "seed": 1}]}).splitlines()
    assert len(lines) == 4 and lines[0].startswith("| experiment | modes with >= 1 sample |")
    assert lines[2] == (
        "| `ring8_gan` (8 modes), seed 0, 2026-12-05, abc1234 | **8 / 8** | 5 / 8 | 88.9% "
        "| 0.464 | 48 s (load 2.73) |"
    )
    assert "seed 1" in lines[3]
