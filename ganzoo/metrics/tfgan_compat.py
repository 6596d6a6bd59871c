"""Imports TF-GAN's metric maths (`tensorflow_gan.python.eval`) on TensorFlow >= 2.16.

TF-GAN's top-level `__init__` imports `tf.estimator`, which TF 2.16 removed, so a plain
`import tensorflow_gan` fails there; its `python/eval` package itself does not need it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
import types

from ganzoo.errors import EvalError

_PACKAGE = "tensorflow_gan"
_SUBPACKAGE = "tensorflow_gan.python"
_EVAL = "tensorflow_gan.python.eval"


@functools.cache
def load_tfgan_eval() -> types.ModuleType:
    """Returns `tensorflow_gan.python.eval` without running TF-GAN's top-level `__init__`.

    `tensorflow_gan` and `tensorflow_gan.python` are put in `sys.modules` as bare packages
    (a `__path__` and nothing else) just long enough to import `tensorflow_gan.python.eval`, then
    taken out again. So a later `import tensorflow_gan` behaves exactly as it would have without
    this function: it runs the real `__init__`, which fails on TF >= 2.16 with the same
    `AttributeError` as before, and works on older TF (reusing the already imported `eval`
    modules). If the real package was imported before this call, its `eval` is returned.

    Raises:
        EvalError: TF-GAN, or one of the packages its `eval` module imports, is not installed.
    """
    if _PACKAGE in sys.modules and not getattr(sys.modules[_PACKAGE], "_ganzoo_bare", False):
        return importlib.import_module(_EVAL)
    if _EVAL in sys.modules:
        return sys.modules[_EVAL]

    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EvalError(
            "TF-GAN is not installed; the metric maths come from it. "
            "Install it with `pip install tensorflow-gan`."
        )
    root = list(spec.submodule_search_locations)
    added = []
    for name, path in ((_PACKAGE, root), (_SUBPACKAGE, [os.path.join(p, "python") for p in root])):
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__path__ = path
            module._ganzoo_bare = True
            sys.modules[name] = module
            added.append(name)
    try:
        return importlib.import_module(_EVAL)
    except ModuleNotFoundError as e:
        missing = (e.name or "").split(".")[0].replace("_", "-")
        raise EvalError(
            f"TF-GAN's eval module needs `{e.name}`, which is not installed. "
            f"Install it with `pip install {missing}`."
        ) from e
    finally:
        for name in added:
            sys.modules.pop(name, None)
