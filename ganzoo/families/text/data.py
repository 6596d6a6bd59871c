"""Text corpora -> fixed-length character sequences, one-hot [L, V] (`data.source=text`).

A corpus is read from a plain-text file (`data.path`), from a Debian package's offline corpus
(`data.name=fortunes`: the quotations of the `fortunes` packages; `data.name=words`: the word
list of `wamerican`; both looked for in `data.dir`, else $GANZOO_TEXT_DIR, else Debian's own
folders) or from a TFDS text dataset (any other `data.name`, text feature `text.tfds_key`).
Characters are lowercased and accent-folded and kept when in `text.charset`;
the vocabulary is the charset's characters that occur in the corpus, space first (space is also
the padding). Held-out split: the last `text.holdout` share of the corpus's documents (lines;
fortunes for `fortunes`), after a seeded shuffle for the Debian corpora, whose files are sorted
(alphabetically, by topic); a file's or TFDS text's lines keep their order, so the held-out part
is its end. Each split is cut into sequences of `text.seq_len` characters: `packing=words` packs
whole words greedily, one space apart, padded with spaces; `packing=lines` takes each line,
truncated or padded (Gulrajani et al. 2017's preprocessing).
"""

from __future__ import annotations

import functools
import os
import unicodedata
from typing import NamedTuple

import numpy as np
import tensorflow as tf

from ganzoo.data.pipeline import register_source
from ganzoo.errors import ConfigError, DataError, MissingPackageError

DEFAULT_CHARSET = "abcdefghijklmnopqrstuvwxyz .,'!?-"
PAD = " "
PACKINGS = ("words", "lines")
HELD_OUT_SPLITS = ("test", "validation", "heldout")
WORDS_PATH = "/usr/share/dict/american-english"
FORTUNES_DIR = "/usr/share/games/fortunes"
# Fortune files that are not English prose.
_FORTUNES_SKIP = {"ascii-art", "translate-me"}
# Debian corpus name -> (apt package, what it installs).
DEBIAN_CORPORA = {"words": ("wamerican", WORDS_PATH), "fortunes": ("fortunes", FORTUNES_DIR)}
TEXT_DIR_ENV = "GANZOO_TEXT_DIR"


class Corpus(NamedTuple):
    """One split's text: its sequences as strings and as vocabulary indices."""

    texts: tuple[str, ...]  # each exactly seq_len characters
    indices: np.ndarray  # uint8 [N, seq_len]
    vocab: str


def is_text(config) -> bool:
    return config.data.source == "text"


# -- reading -----------------------------------------------------------------------------------
def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def _fortune_files(directory: str) -> list[str]:
    names = sorted(
        n
        for n in os.listdir(directory)
        if "." not in n and n not in _FORTUNES_SKIP and os.path.isfile(os.path.join(directory, n))
    )
    return [os.path.join(directory, n) for n in names]


def corpus_root(data_dir: str = "") -> str:
    """The folder holding the Debian corpora in place of Debian's own: `data_dir` (data.dir),
    else $GANZOO_TEXT_DIR; '' means Debian's folders."""
    return data_dir or os.environ.get(TEXT_DIR_ENV, "")


def debian_corpus_files(name: str, root: str = "") -> tuple[str, list[str]]:
    """(where corpus `name` is looked for, its files there: [] when absent). `root`: a folder
    holding `fortunes/` and `american-english` ('' = Debian's locations)."""
    default = DEBIAN_CORPORA[name][1]
    where = os.path.join(root, os.path.basename(default)) if root else default
    if name == "words":
        return where, [where] if os.path.isfile(where) else []
    return where, _fortune_files(where) if os.path.isdir(where) else []


def _debian_documents(name: str, root: str) -> list[str]:
    package = DEBIAN_CORPORA[name][0]
    where, files = debian_corpus_files(name, root)
    if not files:
        raise MissingPackageError(
            f"Received: data.name={name!r}, whose corpus {where} is missing. To provide it: "
            f"`apt-get install {package}`, or train on any plain-text file with "
            f"--set data.path=/path/to/file.txt (or point data.dir or ${TEXT_DIR_ENV} at a "
            f"folder holding {os.path.basename(where)}{'/' if name == 'fortunes' else ''}).",
            package=package,
        )
    if name == "words":
        return _read(files[0]).splitlines()
    docs = []
    for path in files:  # fortunes are separated by lines holding a single '%'
        docs += [d.strip() for d in _read(path).split("\n%\n")]
    return [d for d in docs if d and d != "%"]


def _tfds_documents(name, data_dir, split, key, download) -> list[str]:
    from ganzoo.data import tfds as tfds_lib

    builder = tfds_lib.dataset_builder(name, data_dir)
    tfds_lib.typed_feature(builder, name, key, "text.tfds_key", tfds_lib.tfds.features.Text)
    tfds_lib.prepare(builder, name, data_dir, download)
    ds = tfds_lib.read_split(builder, name, split, "text.tfds_split", shuffle_files=False)
    lines = []
    for example in ds.as_numpy_iterator():
        lines += example[key].decode("utf-8", errors="replace").splitlines()
    return lines


def normalize(text: str, charset: str, lowercase: bool = True) -> str:
    """Accents folded (NFKD, combining marks dropped), lowercased, every whitespace run made
    one space, characters outside `charset` dropped."""
    text = unicodedata.normalize("NFKD", text)
    if lowercase:
        text = text.lower()
    keep = set(charset)
    # One translation table over the text's distinct characters: str.translate runs in C.
    table = {
        ord(c): c if c in keep and not unicodedata.combining(c) else (" " if c.isspace() else None)
        for c in set(text)
    }
    return " ".join(text.translate(table).split())


def check_text_config(config) -> None:
    """Raises ConfigError for text settings that cannot work; reads nothing."""
    t = config.text
    if not t.charset.isascii() or PAD not in t.charset or len(set(t.charset)) < 2:
        raise ConfigError(
            f"Received: text.charset={t.charset!r}. Expected ASCII characters including a space "
            "(the padding) and at least one other."
        )
    if t.vocab and (PAD not in t.vocab or not set(t.vocab) <= set(t.charset)):
        raise ConfigError(
            f"Received: text.vocab={t.vocab!r}. Expected '' (built from the corpus) or "
            f"characters of text.charset={t.charset!r} including a space."
        )
    if t.packing not in PACKINGS:
        raise ConfigError(
            f"Received: text.packing={t.packing!r}. Expected one of {', '.join(PACKINGS)}."
        )
    if t.seq_len < 2 or not 0 < t.holdout < 1:
        raise ConfigError(
            f"Received: text.seq_len={t.seq_len}, text.holdout={t.holdout}. Expected a length "
            ">= 2 and a held-out share in (0, 1)."
        )


def _source_key(config) -> tuple:
    d, t = config.data, config.text
    root = corpus_root(d.dir)  # $GANZOO_TEXT_DIR is part of the key: the cache follows it
    return (d.path, d.name, d.data_dir, d.download, root, t.tfds_key, t.tfds_split, t.split_seed)


@functools.lru_cache(maxsize=4)
def _documents(key: tuple) -> tuple[str, ...]:
    """The documents of the whole corpus, in split order."""
    path, name, data_dir, download, root, tfds_key, tfds_split, seed = key
    if path:
        if not os.path.isfile(path):
            raise DataError(
                f"Received: data.path={path!r}, which is not a file. Expected a plain-text file "
                "(UTF-8), e.g. --set data.path=/path/to/book.txt."
            )
        return tuple(_read(path).splitlines())
    if name in DEBIAN_CORPORA:
        docs = _debian_documents(name, root)
        order = np.random.default_rng(seed).permutation(len(docs))
        return tuple(docs[i] for i in order)
    if not name:
        raise ConfigError(
            "Received: data.path='' and data.name=''. Expected a corpus: --set "
            "data.path=/path/to/file.txt, data.name=fortunes or words (Debian packages "
            "fortunes, wamerican), or the name of a TFDS text dataset such as tiny_shakespeare."
        )
    return tuple(_tfds_documents(name, data_dir, tfds_split, tfds_key, download))


def split_documents(docs, holdout: float, split: str) -> list:
    """The training part (the first 1 - holdout share) or the held-out part (the rest)."""
    cut = len(docs) - max(1, int(round(holdout * len(docs)))) if len(docs) > 1 else len(docs)
    return list(docs[cut:] if split in HELD_OUT_SPLITS else docs[:cut])


def pack(lines, seq_len: int, packing: str = "words") -> list[str]:
    """Normalized lines -> strings of exactly `seq_len` characters, right-padded with spaces.

    words: whole words greedily, one space apart, across line ends (a longer word is cut);
    lines: each non-empty line, truncated.
    """
    if packing == "lines":
        return [line[:seq_len].ljust(seq_len, PAD) for line in lines if line]
    out, current = [], ""
    for line in lines:
        for word in line.split():
            word = word[:seq_len]
            if current and len(current) + 1 + len(word) <= seq_len:
                current += PAD + word
            else:
                if current:
                    out.append(current.ljust(seq_len, PAD))
                current = word
    if current:
        out.append(current.ljust(seq_len, PAD))
    return out


def build_vocab(texts, charset: str) -> str:
    """The characters of `charset` that occur in `texts`, in charset order, space first."""
    seen = set().union(*map(set, texts)) if texts else set()
    return PAD + "".join(c for c in charset if c in seen and c != PAD)


def encode(texts, vocab: str) -> np.ndarray:
    """Strings of one length -> uint8 indices [N, L]; a character outside `vocab` is an error."""
    table = np.full(128, 255, np.uint8)
    for i, c in enumerate(vocab):
        table[ord(c)] = i
    if not texts:
        return np.zeros((0, 0), np.uint8)
    raw = np.frombuffer("".join(texts).encode("ascii", errors="replace"), np.uint8)
    indices = table[np.minimum(raw, 127)].reshape(len(texts), -1)
    if (indices == 255).any():
        bad = sorted({c for t in texts for c in t if c not in vocab})
        raise ConfigError(f"Received characters {bad!r} outside the vocabulary {vocab!r}.")
    return indices


def decode(indices, vocab: str) -> list[str]:
    """Indices [N, L] (or one-hot/probabilities [N, L, V], decoded by argmax) -> strings."""
    indices = np.asarray(indices)
    if indices.ndim == 3:
        indices = indices.argmax(axis=-1)
    chars = np.array(list(vocab))
    return ["".join(row) for row in chars[indices]]


@functools.lru_cache(maxsize=8)
def _lines(key: tuple, split: str, keep: str, lowercase: bool, holdout: float) -> tuple[str, ...]:
    docs = split_documents(_documents(key), holdout, split)
    return tuple(normalize(d, keep, lowercase) for d in docs)


@functools.lru_cache(maxsize=8)
def _corpus(key: tuple, split: str, settings: tuple) -> Corpus:
    charset, lowercase, holdout, seq_len, packing, vocab = settings
    # A saved vocabulary keeps exactly its characters, so encoding cannot fail.
    keep = vocab or charset
    texts = pack(_lines(key, split, keep, lowercase, holdout), seq_len, packing)
    if not texts:
        raise DataError(
            f"Received a corpus whose {split!r} split has no characters of {keep!r} (source: "
            f"{key[0] or key[1]!r}). Expected some text."
        )
    vocab = vocab or build_vocab(texts, charset)
    return Corpus(tuple(texts), encode(texts, vocab), vocab)


def _settings(config, vocab: str) -> tuple:
    t = config.text
    return (t.charset, t.lowercase, t.holdout, t.seq_len, t.packing, vocab)


def load_corpus(config, split: str | None = None) -> Corpus:
    """The sequences of `split` (default data.split) of the config's corpus, cached."""
    split = split or config.data.split
    return _corpus(_source_key(config), split, _settings(config, resolve_vocab(config)))


def load_lines(config, split: str | None = None) -> tuple[str, ...]:
    """The normalized documents of `split` (default data.split) before packing: what
    load_corpus cuts into sequences. Empty ones are kept (packing skips them)."""
    split = split or config.data.split
    t = config.text
    return _lines(_source_key(config), split, resolve_vocab(config), t.lowercase, t.holdout)


def resolve_vocab(config) -> str:
    """text.vocab, or when empty the vocabulary of the corpus's training split."""
    if config.text.vocab:
        return config.text.vocab
    return _corpus(_source_key(config), "train", _settings(config, "")).vocab


def example_shape(config) -> tuple[int, int]:
    """(seq_len, vocabulary size)."""
    return (config.text.seq_len, len(resolve_vocab(config)))


def text_source(config, with_labels: bool) -> tf.data.Dataset:
    """One-hot float32 sequences [L, V] of data.split (0 or 1 entries, one 1 per position)."""
    if with_labels:
        raise ConfigError(
            "Received: a conditional model (model.conditioning) with data.source='text'. "
            "Expected model.conditioning='none': text corpora have no class labels."
        )
    corpus = load_corpus(config)
    indices = corpus.indices
    if config.data.max_examples:
        indices = indices[: config.data.max_examples]
    depth = len(corpus.vocab)
    ds = tf.data.Dataset.from_tensor_slices(indices)
    # One-hot per element: the uint8 indices are 1/(4 V) of the float tensors in memory.
    return ds.map(
        lambda x: tf.one_hot(tf.cast(x, tf.int32), depth, dtype=tf.float32),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


register_source("text", text_source, example_shape)
