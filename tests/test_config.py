import json

import pytest

from ganzoo import config as config_lib
from ganzoo.errors import ConfigError


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
        config_lib.validate(config_lib.apply_overrides(config_lib.base_config(), overrides))


def test_validated_config_is_locked_and_round_trips_json():
    c = config_lib.validate(config_lib.base_config())
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
