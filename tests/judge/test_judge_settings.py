"""The `judge` config section's checks, and --workdir repeated for --mode=judge only."""

import pytest
from absl import flags

from ganzoo import config as config_lib
from ganzoo.errors import ConfigError
from ganzoo.experiment import validate


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("judge.session", "a/b", "Received: judge.session='a/b'"),
        ("judge.session", "", "Received: judge.session=''"),
        ("judge.port", "70000", "Received: judge.port=70000"),
        ("judge.num_images", "1", "Received: judge.num_images=1. Expected 2 or more"),
        ("judge.real_fraction", "1.0", "Received: judge.real_fraction=1.0"),
        ("judge.scale", "-1", "Received: judge.scale=-1"),
        ("judge.bootstrap", "10", "Received: judge.bootstrap=10"),
        ("judge.host", "", "Received: judge.host=''"),
    ],
)
def test_bad_judge_values_are_named(key, value, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        validate(config_lib.apply_overrides(config_lib.base_config(), {key: value}))


def test_defaults_are_local_and_an_old_run_folder_gets_them():
    judge = validate(config_lib.base_config()).judge
    assert (judge.host, judge.port, judge.real_fraction, judge.report) == (
        "127.0.0.1",
        8765,
        0.5,
        False,
    )
    old = config_lib.base_config().to_dict()
    del old["judge"]  # a config.json written before this section existed
    import json

    assert config_lib.from_json(json.dumps(old)).judge.to_dict() == judge.to_dict()


def test_workdir_repeats_but_stays_a_string_for_every_other_use():
    from ganzoo import run  # noqa: F401  defines the flags

    fv = flags.FLAGS
    fv.unparse_flags()
    fv(["ganzoo.run", "--mode=judge", "--workdir=runs/a", "--workdir", "runs/b"])
    assert fv.workdir == "runs/a" and fv["workdir"].values == ["runs/a", "runs/b"]
    fv.unparse_flags()
    fv(["ganzoo.run", "--workdir=runs/c"])
    assert fv.workdir == "runs/c" and fv["workdir"].values == ["runs/c"]
    fv.unparse_flags()
    assert fv["workdir"].value is None and fv["workdir"].values == []
