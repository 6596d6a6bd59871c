"""docs/renderers/evaluation.py: the memorisation floor table of docs/evaluation.md."""

from docs.renderers import evaluation


def test_floor_table_two_rows_per_record():
    metrics = {
        "classes_covered": 10,
        "num_classes": 10,
        "class_kl": 0.000271,
        "nn_feature_distance_mean": 0.0,
        "nn_pixel_distance_mean": 0.0,
        "fid": 0.11549,
        "fid_train": 0.0,
        "fid_gap": -0.11549,
        "nn_feature_distance_real_mean": 2.4061,
        "nn_pixel_distance_real_mean": 7.1994,
    }
    record = {
        "date": "2026-12-05T18:13:00+00:00",
        "commit": "abc1234",
        "result": {"metrics": metrics},
    }
    lines = evaluation.floor_table({"runs": [record]}).splitlines()
    assert len(lines) == 4 and lines[0].startswith("| images scored | classes covered |")
    assert lines[2] == (
        "| 10,000 real training images as samples (2026-12-05, abc1234) | 10 / 10 | 0.0003 "
        "| 0.00 | 0.00 | 0.115 | 0.000 | -0.115 |"
    )
    assert lines[3].startswith("| 10,000 real test images: the floor (2026-12-05, abc1234) |")
    assert "| 2.41 | 7.20 |" in lines[3]
