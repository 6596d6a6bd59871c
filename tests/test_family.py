"""The Family registry: exactly one family claims a config; shared code asks the family."""

import pytest

import ganzoo
from ganzoo.config import apply_overrides, base_config
from ganzoo.errors import ConfigError
from ganzoo.experiment import EXPERIMENTS, validate
from ganzoo.family import FAMILIES, Family, family_of

BUILTIN = (
    "audio",
    "biggan",
    "conditional",
    "cyclegan",
    "image",
    "image_to_image",
    "infogan",
    "text",
    "video",
)

# One experiment per family, and the family it must land in.
EXPECTED = {
    "mnist_dcgan": "image",
    "ring8_gan": "image",
    "imagenet32_biggan": "biggan",
    "speech_digits_wavegan": "audio",
    "video_moving_fashion_mnist": "video",
}


def _raw(name):
    """The experiment's config before validation (needs no corpus or data on disk)."""
    ganzoo.list_experiments()  # loads the experiment modules
    return EXPERIMENTS.get(name)()


def test_the_nine_families_are_registered():
    family_of(base_config())  # loads the built-in families
    assert set(BUILTIN) <= set(FAMILIES.names())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_experiments_land_in_their_family(name):
    assert family_of(_raw(name)).name == EXPECTED[name]


def test_every_experiment_is_claimed_by_exactly_one_family():
    names = ganzoo.list_experiments()
    seen = {family_of(_raw(name)).name for name in names}
    # Every built-in family runs at least one shipped experiment.
    assert seen == set(BUILTIN)


@pytest.mark.parametrize(
    "overrides, families",
    [
        (
            {"data.source": "text", "model.arch": "text_resnet", "model.info_continuous": 2},
            "infogan, text",
        ),
        (
            {"data.source": "espeak_digits", "model.arch": "wavegan", "model.info_continuous": 1},
            "audio, infogan",
        ),
        ({"model.arch": "mocogan", "model.conditioning": "concat"}, "conditional, video"),
        ({"cyclegan.enabled": True, "model.info_categorical": "10"}, "cyclegan, infogan"),
        ({"model.conditioning": "acgan", "model.info_categorical": "10"}, "conditional, infogan"),
    ],
)
def test_two_families_claiming_a_config_is_an_error_naming_both(overrides, families):
    config = apply_overrides(base_config(), overrides)
    first, second = families.split(", ")
    with pytest.raises(ConfigError, match="2 model families claim") as err:
        family_of(config)
    assert f"{first} (" in str(err.value) and f"{second} (" in str(err.value)
    with pytest.raises(ConfigError, match="2 model families claim"):
        validate(config)  # validation refuses it before any family's own checks


def test_text_with_continuous_infogan_codes_no_longer_validates():
    """Before the family registry, text and audio runs checked only info_categorical, so
    model.info_continuous > 0 validated and the run was then built as an InfoGAN."""
    config = apply_overrides(
        base_config(),
        {"data.source": "text", "model.arch": "text_resnet", "model.info_continuous": 3},
    )
    with pytest.raises(
        ConfigError, match=r"infogan \(model.info_categorical='', info_continuous=3\)"
    ):
        validate(config)


def test_biggan_supersedes_conditional():
    config = _raw("imagenet32_biggan")
    assert config.model.conditioning != "none"  # conditional claims it too ...
    assert FAMILIES.get("conditional").claims(config)
    assert family_of(config).name == "biggan"  # ... and BigGAN's claim replaces it


def test_base_family_hooks_give_the_image_behaviour():
    config = base_config()
    family = family_of(config)
    assert family.name == "image" and type(family).__mro__[1] is Family
    assert family.example_shape(config) == (28, 28, 1)
    assert family.num_classes(config) == 0
    assert family.export_output == "images"
    conditional = apply_overrides(config, {"model.conditioning": "concat", "model.num_classes": 10})
    assert family_of(conditional).num_classes(conditional) == 10


def test_video_family_says_its_clip_shape():
    config = _raw("video_moving_fashion_mnist")
    family = family_of(config)
    t, r = config.video.frames, config.model.resolution
    assert family.example_shape(config) == (t, r, r, config.model.channels)


def test_cyclegan_runs_refuse_edit_through_their_family():
    config = apply_overrides(base_config(), {"cyclegan.enabled": True})
    with pytest.raises(ConfigError, match="a CycleGAN has no latent space"):
        family_of(config).check_edit(config)
    family_of(base_config()).check_edit(base_config())  # the base family allows it


def test_registering_a_family_twice_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        FAMILIES.register("image")(Family())
