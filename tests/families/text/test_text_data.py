"""The text source: normalisation, packing, vocabulary round trip, splits, corpora and errors."""

import numpy as np
import pytest
import tensorflow_datasets as tfds
from debian_packages import needs

from ganzoo.config import apply_overrides, base_config
from ganzoo.data import build_dataset, example_shape
from ganzoo.errors import ConfigError, DataError, MissingPackageError
from ganzoo.experiment import validate
from ganzoo.families.text import data as text_data
from ganzoo.family import family_of


def text_config(**overrides):
    c = base_config()
    c.data.update(source="text", cache=False, shuffle_buffer=0)
    c.model.update(arch="text_resnet", width=8, depth=1)
    c.train.batch_size = 2
    config = validate(apply_overrides(c, overrides))
    return family_of(config).resolve(config)  # the vocabulary, as a run resolves it


@pytest.fixture
def corpus_file(tmp_path):
    lines = [f"Line {i}: the cat sat, on the mat!" for i in range(10)]
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_normalize_folds_lowercases_and_drops():
    assert text_data.normalize("Café  au\tLAIT, 1984!\n", "abcdefghijklmnopqrstuvwxyz ,!") == (
        "cafe au lait, !"
    )


def test_pack_words_keeps_words_whole_and_pads():
    out = text_data.pack(["the cat sat", "on a mat"], 8)
    assert out == ["the cat ", "sat on a", "mat     "]
    assert text_data.pack(["abcdefghijk"], 4) == ["abcd"]  # a longer word is cut
    assert text_data.pack(["one two three", "", "four"], 6, "lines") == [
        "one tw",
        "four  ",
    ]


def test_vocab_encode_decode_round_trip():
    texts = ["hello, w", "orld!   "]
    vocab = text_data.build_vocab(texts, text_data.DEFAULT_CHARSET)
    assert vocab == " dehlorw,!"  # space first, then charset order
    indices = text_data.encode(texts, vocab)
    assert indices.shape == (2, 8) and indices.dtype == np.uint8
    assert text_data.decode(indices, vocab) == texts
    one_hot = np.eye(len(vocab), dtype=np.float32)[indices]
    assert text_data.decode(one_hot, vocab) == texts
    with pytest.raises(ConfigError, match=r"\['x'\] outside the vocabulary"):
        text_data.encode(["x"], vocab)


def test_split_documents_holds_out_the_end():
    docs = list(range(20))
    assert text_data.split_documents(docs, 0.1, "train") == list(range(18))
    assert text_data.split_documents(docs, 0.1, "test") == [18, 19]


def test_file_source_shapes_vocab_and_splits(corpus_file):
    c = text_config(**{"data.path": corpus_file, "text.seq_len": 16})
    assert c.text.vocab == " acehilmnost,!"  # resolved from the corpus: digits and ':' dropped
    assert example_shape(c) == (16, len(c.text.vocab))
    batch = next(iter(build_dataset(c))).numpy()
    assert batch.shape == (2, 16, len(c.text.vocab)) and batch.dtype == np.float32
    np.testing.assert_array_equal(batch.sum(-1), 1.0)  # one-hot
    train = text_data.load_corpus(c, "train")
    held_out = text_data.load_corpus(c, "test")
    assert train.texts[:2] == ("line the cat    ", "sat, on the mat!") and len(
        held_out.texts
    ) < len(train.texts)
    assert text_data.decode(batch, c.text.vocab)[0] in train.texts


def test_missing_file_and_missing_corpus_errors(tmp_path, corpus_file):
    with pytest.raises(DataError, match="data.path=.*not a file"):
        text_config(**{"data.path": str(tmp_path / "nope.txt")})
    with pytest.raises(ConfigError, match="data.path='' and data.name=''"):
        text_config(**{"data.name": ""})
    for name, package in (("fortunes", "fortunes"), ("words", "wamerican")):
        with pytest.raises(MissingPackageError, match=f"apt-get install {package}") as error:
            text_config(**{"data.name": name, "data.dir": str(tmp_path)})  # an empty root
        assert error.value.package == package and isinstance(error.value, DataError)


def test_text_dir_env_replaces_debian_folders_and_data_dir_wins(tmp_path, monkeypatch):
    (tmp_path / "env" / "fortunes").mkdir(parents=True)
    (tmp_path / "env" / "fortunes" / "wisdom").write_text("Env first.\n%\nEnv second.\n%\n")
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv(text_data.TEXT_DIR_ENV, str(tmp_path / "env"))
    sets = {"text.seq_len": 11, "text.holdout": 0.5, "text.vocab": text_data.DEFAULT_CHARSET}
    c = text_config(**{"data.name": "fortunes", **sets})
    texts = set(text_data.load_corpus(c, "train").texts + text_data.load_corpus(c, "test").texts)
    assert texts == {"env first. ", "env second."}
    # The Debian word list is looked for in the same folder: absent there, absent for ganzoo.
    with pytest.raises(MissingPackageError, match=str(tmp_path / "env" / "american-english")):
        text_config(**{"data.name": "words"})
    with pytest.raises(MissingPackageError, match=str(tmp_path / "empty" / "fortunes")):
        text_config(**{"data.name": "fortunes", "data.dir": str(tmp_path / "empty")})


def test_debian_corpora_from_a_root_folder(tmp_path):
    (tmp_path / "fortunes").mkdir()
    (tmp_path / "fortunes" / "wisdom").write_text("Be kind.\n%\nKind be.\n%\n")
    (tmp_path / "fortunes" / "wisdom.dat").write_bytes(b"\x00")  # index files are skipped
    (tmp_path / "american-english").write_text("apple\nBanana\ncherry\n")
    c = text_config(**{"data.name": "fortunes", "data.dir": str(tmp_path), "text.seq_len": 8})
    texts = set(text_data.load_corpus(c, "train").texts) | set(
        text_data.load_corpus(c, "test").texts
    )
    assert texts == {"be kind.", "kind be."}
    c = text_config(**{"data.name": "words", "data.dir": str(tmp_path), "text.seq_len": 8})
    train = text_data.load_corpus(c, "train")
    assert len(train.texts) == 2 and set(train.texts) < {"apple   ", "banana  ", "cherry  "}
    assert c.text.vocab == text_data.build_vocab(train.texts, c.text.charset)  # training text


@needs("wamerican")
def test_debian_word_list_is_shuffled_before_the_split():
    c = text_config(**{"data.name": "words"})
    held_out = text_data.load_corpus(c, "test").texts
    # Alphabetical order would hold out only the words at the end of the alphabet.
    assert len({t[0] for t in held_out}) > 20


def test_tfds_text_dataset_under_mock_data():
    with tfds.testing.mock_data(num_examples=3):
        c = text_config(**{"data.name": "tiny_shakespeare", "text.holdout": 0.5})
        batch = next(iter(build_dataset(c)))
    assert batch.shape == (2, 32, len(c.text.vocab))
    with pytest.raises(ConfigError, match="text.tfds_key='nope'.*Its features: text"):
        with tfds.testing.mock_data(num_examples=3):
            text_config(**{"data.name": "tiny_shakespeare", "text.tfds_key": "nope"})


def test_bad_text_settings(corpus_file):
    with pytest.raises(ConfigError, match="text.packing='chars'"):
        text_config(**{"data.path": corpus_file, "text.packing": "chars"})
    with pytest.raises(ConfigError, match="including a space"):
        text_config(**{"data.path": corpus_file, "text.charset": "abc"})
    with pytest.raises(ConfigError, match="model.arch='dcgan' with data.source='text'"):
        text_config(**{"data.path": corpus_file, "model.arch": "dcgan"})
    with pytest.raises(ConfigError, match="Expected data.source=text"):
        validate(apply_overrides(base_config(), {"model.arch": "text_resnet"}))


def test_validation_reads_no_corpus_and_the_run_resolves_the_vocabulary(tmp_path):
    """A missing corpus fails when the data is built, not when the config is validated."""
    missing = str(tmp_path / "no_such_corpus.txt")
    c = base_config()
    c.data.update(source="text", path=missing)
    c.model.update(arch="text_resnet", width=8, depth=1)
    c = validate(c)
    assert c.text.vocab == ""
    with pytest.raises(DataError, match="no_such_corpus"):
        family_of(c).resolve(c)
