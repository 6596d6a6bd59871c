"""Audio data: WAV files read and written, clips fitted to T, the wav_folder source (splits,
labels, unreadable files) and the tfds_audio source under tfds.testing.mock_data."""

import wave

import numpy as np
import pytest
import tensorflow_datasets as tfds
from scipy.io import wavfile

from ganzoo import config as config_lib
from ganzoo.data import build_dataset, example_shape
from ganzoo.errors import ConfigError, DataError
from ganzoo.experiment import validate
from ganzoo.families.audio import data as audio


def audio_config(**overrides):
    c = config_lib.base_config()
    c.data.update(source="wav_folder", name="wav_folder", dir="/nonexistent", shuffle_buffer=0)
    c.train.update(batch_size=4)
    c.model.update(arch="wavegan", width=4, latent_dim=8)
    c.audio.update(length=1024, sample_rate=8000)
    return validate(config_lib.apply_overrides(c, overrides))


def tone(freq, seconds, rate, amplitude=0.5):
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def write_folder(root, rate=16000, per_class=12):
    """Two class folders of tones (440 Hz 'a', 880 Hz 'b'), 16-bit PCM, 0.1 s each."""
    for label, freq in (("a", 440), ("b", 880)):
        for i in range(per_class):
            audio.write_wav(str(root / label / f"{i:02d}.wav"), tone(freq, 0.1, rate), rate)
    return str(root)


def test_write_wav_is_16_bit_pcm_and_reads_back(tmp_path):
    x = tone(440, 0.05, 8000)
    path = audio.write_wav(str(tmp_path / "t.wav"), x, 8000)
    with wave.open(path) as f:
        assert (f.getnchannels(), f.getsampwidth(), f.getframerate()) == (1, 2, 8000)
        assert f.getnframes() == len(x)
    y, rate = audio.read_wav(path)
    assert rate == 8000 and np.max(np.abs(y - x)) < 1 / 32767 + 1e-6


@pytest.mark.parametrize(
    "dtype, scale", [(np.int16, 32767), (np.int32, 2**31 - 1), (np.float32, 1.0), (np.uint8, None)]
)
def test_read_wav_formats_and_stereo(tmp_path, dtype, scale):
    x = tone(300, 0.02, 8000)
    if scale is None:
        data = np.round(x * 127 + 128).astype(np.uint8)
    else:
        data = (x * scale).astype(dtype)
    wavfile.write(tmp_path / "s.wav", 8000, np.stack([data, data], axis=1))  # stereo
    y, rate = audio.read_wav(str(tmp_path / "s.wav"))
    assert rate == 8000 and y.shape == x.shape
    np.testing.assert_allclose(y, x, atol=1 / 100)


def test_unreadable_wav_is_a_data_error_naming_the_file(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav file at all")
    with pytest.raises(DataError, match=r"Cannot read WAV file .*bad\.wav"):
        audio.read_wav(str(bad))


def test_fit_length_trim_and_resample():
    x = np.arange(10, dtype=np.float32)
    np.testing.assert_array_equal(audio.fit_length(x, 6), x[2:8])  # centre crop
    np.testing.assert_array_equal(audio.fit_length(x[:3], 6), [0, 0, 1, 2, 0, 0])  # centre pad
    np.testing.assert_array_equal(audio.fit_length(x[:3], 3), x[:3])
    quiet = np.array([0.0, 0.001, 0.5, -1.0, 0.2, 0.0], np.float32)
    np.testing.assert_array_equal(audio.trim_silence(quiet, 0.01), quiet[2:5])
    y = audio.resample(tone(100, 1.0, 16000), 16000, 8000)
    assert len(y) == 8000
    np.testing.assert_allclose(y[100:-100], tone(100, 1.0, 8000)[100:-100], atol=0.01)


def test_prepare_clip_shape_range_and_centre():
    c = audio_config()
    clip = audio.prepare_clip(
        np.concatenate([np.zeros(50), tone(440, 0.05, 16000)]), 16000, c.audio
    )
    assert clip.shape == (1024, 1) and clip.dtype == np.float32
    assert np.max(np.abs(clip)) == pytest.approx(audio.PEAK, abs=1e-3)
    loud = np.flatnonzero(np.abs(clip[:, 0]) > 0.01)  # 400 samples at 8 kHz, centred
    assert abs((loud[0] + loud[-1]) / 2 - 512) < 3


def test_wav_folder_source_labels_splits_and_resampling(tmp_path):
    root = write_folder(tmp_path / "wavs")
    c = audio_config(**{"data.dir": root, "data.split": "all"})
    assert example_shape(c) == (1024, 1)
    ds = build_dataset(c, with_labels=True, repeat=False)
    batches = list(ds.unbatch().batch(100).as_numpy_iterator())
    clips, labels = batches[0]
    assert clips.shape == (24, 1024, 1) and sorted(np.bincount(labels)) == [12, 12]
    # 880 Hz has twice the zero crossings of 440 Hz: labels follow the subfolders.
    crossings = np.sum(np.diff(np.sign(clips[:, :, 0]), axis=1) != 0, axis=1)
    assert crossings[labels == 1].min() > 1.5 * crossings[labels == 0].max()
    names = {}
    for split in ("train", "test"):
        paths = audio.folder_split(root, audio.find_wavs(root), split)
        names[split] = set(paths)
    assert names["train"].isdisjoint(names["test"]) and len(names["train"] | names["test"]) == 24
    with pytest.raises(ConfigError, match="data.split='validation'"):
        audio.folder_split(root, audio.find_wavs(root), "validation")


def test_wav_folder_skips_unreadable_files_and_fails_when_none_is_readable(tmp_path):
    root = write_folder(tmp_path / "wavs", per_class=2)
    (tmp_path / "wavs" / "a" / "broken.wav").write_bytes(b"RIFF....junk")
    c = audio_config(**{"data.dir": root, "data.split": "all"})
    clips = list(build_dataset(c, repeat=False).unbatch().as_numpy_iterator())
    assert len(clips) == 4
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "x.wav").write_bytes(b"nope")
    c = audio_config(**{"data.dir": str(only_bad), "data.split": "all"})
    with pytest.raises(DataError, match=r"No readable WAV file .*x\.wav"):
        build_dataset(c)
    c = audio_config(**{"data.dir": str(tmp_path / "missing")})
    with pytest.raises(DataError, match="does not exist"):
        build_dataset(c)


def test_wav_folder_needs_a_dir_and_an_audio_model():
    with pytest.raises(ConfigError, match="data.dir=''"):
        audio_config(**{"data.dir": ""})
    with pytest.raises(ConfigError, match="model.arch='dcgan'.*audio model"):
        audio_config(**{"model.arch": "dcgan"})
    with pytest.raises(ConfigError, match="audio.length=1000"):
        audio_config(**{"audio.length": 1000})


@pytest.mark.parametrize("name, classes", [("speech_commands", 12), ("spoken_digit", 10)])
def test_tfds_audio_source_under_mock_data(name, classes):
    c = audio_config(
        **{"data.source": "tfds_audio", "data.name": name, "data.split": "train", "data.dir": ""}
    )
    with tfds.testing.mock_data(num_examples=8):
        ds = build_dataset(c, with_labels=True, repeat=False)
        clips, labels = next(iter(ds.unbatch().batch(8)))
    assert clips.shape == (8, 1024, 1) and clips.dtype == np.float32
    assert np.max(np.abs(clips)) <= 1.0 and np.all((labels >= 0) & (labels < classes))
    bad = audio_config(
        **{"data.source": "tfds_audio", "data.name": name, "audio.audio_key": "label"}
    )
    with tfds.testing.mock_data(num_examples=2), pytest.raises(ConfigError, match="Audio feature"):
        build_dataset(bad)


def test_audio_section_round_trips_through_json():
    c = audio_config()
    again = config_lib.from_json(config_lib.to_json(c))
    assert again.audio.to_dict() == c.audio.to_dict()
