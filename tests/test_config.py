import json

import pytest

from ganzoo import config as config_lib
from ganzoo.errors import ConfigError
from ganzoo.experiment import validate


def test_overrides_parse_into_the_keys_type():
    c = config_lib.apply_overrides(
        config_lib.base_config(),
        {
            "train.steps": "2000",
            "optimizer.d_lr": "1e-3",
            "data.cache": "false",
            "model.loss": "hinge",
        },
    )
    assert c.train.steps == 2000 and c.optimizer.d_lr == 1e-3 and c.data.cache is False
    assert c.model.loss == "hinge"


def test_python_overrides_are_type_checked():
    c = config_lib.apply_overrides(
        config_lib.base_config(), {"train.batch_size": 64, "optimizer.g_lr": 1}
    )
    assert c.train.batch_size == 64 and c.optimizer.g_lr == 1.0
    with pytest.raises(ConfigError, match=r"train.batch_size='64'.*|Expected a value of type int"):
        config_lib.apply_overrides(config_lib.base_config(), {"train.batch_size": 6.4})


def test_wrong_value_type_error_says_received_and_expected():
    with pytest.raises(
        ConfigError, match=r"Received: train.steps='many'. Expected a value of type int"
    ):
        config_lib.apply_overrides(config_lib.base_config(), {"train.steps": "many"})
    with pytest.raises(ConfigError, match="type bool"):
        config_lib.apply_overrides(config_lib.base_config(), {"data.cache": "maybe"})


def test_unknown_key_names_the_closest():
    with pytest.raises(
        ConfigError, match=r"Unknown config key 'train.step'. Did you mean 'train.steps'"
    ):
        config_lib.apply_overrides(config_lib.base_config(), {"train.step": "3"})


def test_set_flag_parsing():
    assert config_lib.parse_set_flags(["a.b=1", "c.d=x=y"]) == {"a.b": "1", "c.d": "x=y"}
    with pytest.raises(ConfigError, match="key=value"):
        config_lib.parse_set_flags(["train.steps"])


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"model.loss": "hinj"}, "Did you mean 'hinge'"),
        ({"model.arch": "dcgn"}, "Did you mean 'dcgan'"),
        ({"train.steps": "0"}, r"train.steps=0. Expected a positive value"),
        ({"model.resolution": "31"}, r"model.resolution=31"),
        ({"model.channels": "2"}, r"model.channels=2"),
        ({"data.source": "ftp"}, r"data.source='ftp'"),
        ({"train.jit_compile": "sometimes"}, "jit_compile"),
        ({"optimizer.beta_1": "1.5"}, "beta_1"),
        ({"data.source": "folder"}, "data.dir"),
    ],
)
def test_validation_errors(overrides, message):
    with pytest.raises(ConfigError, match=message):
        validate(config_lib.apply_overrides(config_lib.base_config(), overrides))


def test_validated_config_is_locked_and_round_trips_json():
    c = validate(config_lib.base_config())
    with pytest.raises(AttributeError):
        c.train.new_key = 1
    again = config_lib.from_json(config_lib.to_json(c))
    assert json.loads(config_lib.to_json(again)) == json.loads(config_lib.to_json(c))


def test_old_run_configs_read_with_todays_defaults():
    old = config_lib.base_config().to_dict()
    del old["model"]["width"]
    old.pop("sample")
    config = config_lib.from_json(json.dumps(old))
    assert config.model.width == config_lib.base_config().model.width
    assert config.sample.num == config_lib.base_config().sample.num


def test_keys_renamed_by_the_family_folders_still_read():
    """`i2i.*` became `image_to_image.*`, `scaling.*` became `biggan.*` and `data.tfrecord_*`:
    old --set keys and old config.json files mean what they meant."""
    c = config_lib.apply_overrides(
        config_lib.base_config(),
        {"i2i.task": "sr", "scaling.orthogonal_weight": 1e-4, "scaling.tfrecord_label_offset": -1},
    )
    assert c.image_to_image.task == "sr" and c.biggan.orthogonal_weight == 1e-4
    assert c.data.tfrecord_label_offset == -1
    assert "i2i" not in c and "scaling" not in c
    old = config_lib.base_config().to_dict()
    old["i2i"] = old.pop("image_to_image") | {"task": "colorize", "scale": 2}
    old["scaling"] = old.pop("biggan") | {"hierarchical": False, "tfrecord_pattern": "x-*"}
    read = config_lib.from_json(json.dumps(old))
    assert read.image_to_image.task == "colorize" and read.image_to_image.scale == 2
    assert read.biggan.hierarchical is False and read.data.tfrecord_pattern == "x-*"
    assert "i2i" not in read and "scaling" not in read
    with pytest.raises(ConfigError, match="Unknown config key 'i2i.no_such_key'"):
        config_lib.apply_overrides(config_lib.base_config(), {"i2i.no_such_key": 1})


def test_family_sections_come_from_the_family_folders():
    from ganzoo.families import BUILTIN

    c = config_lib.base_config()
    for section in ("video", "cyclegan", "text", "audio", "image_to_image", "biggan"):
        assert section in c
    assert len(BUILTIN) == 9
    assert "cyclegan.eval_" in config_lib.runtime_keys()
