"""Measures the architecture of the ganzoo package: module counts, the import graph and its
cycles, the checks in shared files that decide which model family runs, the files a plain
training run goes through, and a picture of the layers (or, before ganzoo/families/ existed,
of the folders).

    python docs/make_architecture.py [--root DIR] [--json OUT] [--png OUT] [--no-run]

--root: a ganzoo checkout (default: the one this script is in); it is only read, except that the
plain run (4. below) imports and runs its code in a subprocess, in a temporary folder. The
figures (and what each counts) are printed; --json writes them all, --png the picture.

What it reports:
 1. modules: the .py files of ganzoo/ (one module each; __init__.py included), directly in
    ganzoo/ and in total.
 2. imports: an edge A -> B for every `import ganzoo.x.y`, `from ganzoo(.x) import y` (to
    ganzoo.x.y when y is a module, else to ganzoo.x), relative import and
    importlib.import_module("ganzoo.x") in A, at ANY depth (inside functions too). A module
    that calls importlib.import_module with a non-literal name gets an edge to each ganzoo
    module it names in a string constant (a lazy table such as ganzoo/__init__'s). Imports
    under `if TYPE_CHECKING:` never run: they are counted apart and left out of the graph.
    Importing ganzoo.a.b runs ganzoo/a/__init__ too; that implied edge is not added. The
    strongly connected components (Tarjan, iterative) are the import cycles, of the graph of
    all edges and of the import-time one (edges at module level only).
 3. family checks in shared files: the expressions listed in FAMILY_CHECK_PATTERNS, found with
    `ast`, in every file that is not family-specific (see FAMILY_MODULES_BEFORE and
    --family-modules). A check is one statement matching one pattern: two predicates in one
    `if` are one check of that pattern; the raw matches are counted too.
 4. a plain run: `python -m ganzoo.run --experiment=mnist_dcgan` for 2 steps on tiny fake IDX
    files, traced with sys.settrace / threading.settrace: the ganzoo files whose functions ran
    (module bodies and class bodies do not count: every imported file runs those), the ganzoo
    modules in sys.modules at the end, and whether `import ganzoo.config` imports TensorFlow.
    Functions that tf.function traced through AutoGraph run as generated code: they are
    counted for the file whose globals that code runs with (listed apart too).
 5. layers: every module gets a box by LAYERS (below); edges between boxes are counted, and
    those that go up the layer order are listed. --png draws the boxes with their modules and
    the counted edges. A tree without ganzoo/families/ is drawn by folder instead, with its
    family-specific modules in another colour.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter, defaultdict

PACKAGE = "ganzoo"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROOT = os.path.dirname(HERE)

# -- 3. family checks --------------------------------------------------------------------------
# Functions whose only job is to say whether a config (or model config) is of one family.
FAMILY_PREDICATES = (
    "is_text",
    "is_audio",
    "is_video",
    "is_paired",
    "is_infogan",
    "is_cyclegan",
    "_is_cyclegan",
    "is_conditional",
    "is_biggan",
)
# Config fields whose value decides the family: read in a decision (a comparison, a test of an
# if/elif/while/assert/conditional expression, an operand of and/or/not). cyclegan.enabled
# counts wherever it is read; data.source only when compared with a family's own source.
FAMILY_FIELDS = (
    "cyclegan.enabled",
    "model.conditioning",
    "model.arch",
    "model.info_categorical",
    "model.info_continuous",
    "i2i.task",
    "data.source",
)
FAMILY_SOURCES = ("text", "tfds_audio", "wav_folder", "espeak_digits", "AUDIO_SOURCES")
# model.arch counts when compared with one of these (a literal or a constant's name): the
# architectures that only one family builds; dcgan/resnet/mlp/... are shared by several.
FAMILY_ARCHS = (
    "biggan",
    "mocogan",
    "pix2pix",
    "srgan",
    "text_gumbel",
    "text_resnet",
    "wavegan",
    "AUDIO_ARCHS",
    "TEXT_ARCHS",
    "VIDEO_ARCHS",
)
# Config sections of one family: a literal key "section.name" in a shared file (a table of
# keys such as workdir's RESUMABLE_PREFIXES) names that family's settings.
FAMILY_SECTIONS = ("cyclegan", "i2i", "video", "text", "audio")
# Keys that only some families' results have, tested with `"key" in result`.
FAMILY_RESULT_KEYS = ("a2b", "b2a", "gif", "wav", "txt", "clips")
# GAN classes of one family: isinstance(x, C) with C one of these, or any name ending in GAN
# other than GAN itself (the base class every family shares).
FAMILY_CLASSES = ("Pix2Pix",)
# Attributes only some families' GANs have, read with getattr/hasattr.
FAMILY_ATTRIBUTES = ("num_classes", "categorical", "continuous", "num_codes")
FAMILY_CHECK_PATTERNS = (
    ("predicate", f"a call of a family predicate: {', '.join(p + '(' for p in FAMILY_PREDICATES)}"),
    (
        "config_field",
        f"a decision on a family's config field: {', '.join(FAMILY_FIELDS)} (model.arch only "
        f"against {', '.join(FAMILY_ARCHS)}; data.source only against "
        f"{', '.join(FAMILY_SOURCES)}); cyclegan.enabled wherever it is read",
    ),
    (
        "isinstance",
        f"isinstance(x, C), C a family's GAN class: *GAN but not GAN, {', '.join(FAMILY_CLASSES)}",
    ),
    ("getattr", f"getattr/hasattr(x, A, ...), A one of {', '.join(FAMILY_ATTRIBUTES)}"),
    (
        "array_rank",
        "array-rank sniffing: X.ndim compared with 5 (clips), samples.ndim compared with any "
        "number, len(X.shape or X.output_shape) compared with 5; not in the test of an `if` "
        "that only raises (input validation)",
    ),
    (
        "family_key",
        f"a literal config key of a family's section ({', '.join(s + '.' for s in FAMILY_SECTIONS)}"
        "...) in a table or call of shared code (no spaces: messages do not count)",
    ),
    (
        "result_key",
        f'"k" in result, k a key only some families\' results have: {", ".join(FAMILY_RESULT_KEYS)}',
    ),
)
# Which files are family-specific (the rest are shared): files under ganzoo/families/ always;
# on a tree without ganzoo/families/ (before the refactor), these modules (globs relative to
# ganzoo/) unless --family-modules names others.
FAMILY_MODULES_BEFORE = (
    "biggan.py",
    "orthogonal.py",  # BigGAN's orthogonal regularisation
    "conditional.py",
    "infogan.py",
    "cyclegan.py",
    "cyclegan_run.py",
    "pix2pix.py",
    "i2i_lib.py",
    "speech.py",
    "text_lib.py",
    "text_eval.py",
    "video_gan.py",
    "video_eval.py",
    "video_samples.py",
    "data/moving.py",
    "data/paired.py",
    "data/unpaired.py",
    "data/text.py",
    "data/audio.py",
    "data/espeak_digits.py",
    "models/biggan.py",
    "models/biggan_layers.py",
    "models/conditional.py",
    "models/conditional_layers.py",
    "models/infogan.py",
    "models/cyclegan.py",
    "models/image_to_image.py",
    "models/patchgan.py",
    "models/srgan.py",
    "models/unet.py",
    "models/text_resnet.py",
    "models/video.py",
    "models/wavegan.py",
    "metrics/audio_classifier.py",
    "metrics/temporal.py",
    "metrics/text.py",
    "metrics/restoration.py",
)

# -- 5. layers ----------------------------------------------------------------------------------
# (layer, module prefixes), from the top layer down: a layer may import the ones below it. A
# prefix takes the module of that name and the modules under it; the longest matching prefix
# wins; "=name" takes that module alone; modules no prefix takes go to DEFAULT_LAYER. A layer
# named with "{name}" is one box per package under the prefix (families/audio, ...); the prefix
# package itself goes to the layer's name without "/{name}". A prefix with "*" is a glob that
# takes the modules it matches (fnmatch), and beats every plain prefix.
# Within the families layer a family may import a family listed before it in
# ganzoo/families/__init__.py's BUILTIN (every family extends `image`; BigGAN, InfoGAN build on
# `conditional`), never one after it.
LAYERS = [
    ("run", ["ganzoo.run", "=ganzoo"]),
    ("libraries", ["ganzoo.train_lib", "ganzoo.eval_lib", "ganzoo.edit_lib", "ganzoo.judge"]),
    ("families/{name}", ["ganzoo.families"]),
    ("core", ["=ganzoo.judge.settings"]),
    (
        "foundation",
        [
            "ganzoo.errors",
            "ganzoo.registry",
            "ganzoo.config",
            "=ganzoo.families",
            "ganzoo.families.*.config",
        ],
    ),
]
DEFAULT_LAYER = "core"

# -- 4. the plain run ---------------------------------------------------------------------------
PLAIN_RUN_ARGS = (
    "--experiment=mnist_dcgan",
    "--set=train.steps=2",
    "--set=train.log_every=1",
    "--set=train.sample_every=2",
    "--set=train.checkpoint_every=2",
    "--set=data.source=idx",
)
PLAIN_RUN_TIMEOUT_S = 600

TRACER = r"""
import json, os, runpy, sys, threading
root, out_path = sys.argv[1], sys.argv[2]
sys.argv = ["ganzoo.run"] + sys.argv[3:]
sys.path.insert(0, root)
pkg = os.path.join(root, "ganzoo") + os.sep
CO_NEWLOCALS = 0x0002
seen = set()
functions = {}  # file -> function names
autograph = set()  # (file, function) that ran as AutoGraph-generated code

def tracer(frame, event, arg):
    code = frame.f_code
    if code in seen:
        return None
    seen.add(code)
    name, path = code.co_name, code.co_filename
    if path.startswith(pkg):
        if code.co_flags & CO_NEWLOCALS:  # a function, not a module or class body
            outer = frame.f_back
            # A comprehension or lambda run by a module or class body is part of that body.
            if not (name.startswith("<") and outer and not outer.f_code.co_flags & CO_NEWLOCALS):
                functions.setdefault(os.path.relpath(path, root), set()).add(name)
    elif "__autograph_generated" in path:
        # AutoGraph runs the converted function with the original one's globals.
        source = frame.f_globals.get("__file__") or ""
        where = os.path.relpath(source, root) if source.startswith(pkg) else "?"
        autograph.add((where, name[4:] if name.startswith("tf__") else name))
    return None

threading.settrace(tracer)
sys.settrace(tracer)
code = 0
try:
    runpy.run_module("ganzoo.run", run_name="__main__", alter_sys=True)
except SystemExit as e:
    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
finally:
    sys.settrace(None)
    threading.settrace(None)
    import ganzoo
    modules = sorted(m for m, v in list(sys.modules.items()) if v is not None and (m == "ganzoo" or m.startswith("ganzoo.")))
    with open(out_path, "w") as f:
        json.dump({
            "exit_code": code,
            "ganzoo_file": ganzoo.__file__,
            "functions": {k: sorted(v) for k, v in functions.items()},
            "autograph": sorted(autograph),
            "modules": modules,
            "tensorflow_loaded": "tensorflow" in sys.modules,
        }, f)
"""


# -- 1. modules ---------------------------------------------------------------------------------
def find_modules(root: str) -> dict[str, str]:
    """module name -> path relative to root, for every .py file under root/ganzoo."""
    modules = {}
    base = os.path.join(root, PACKAGE)
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(folder, name), root)
            parts = rel[: -len(".py")].split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = rel
    return dict(sorted(modules.items()))


def count_modules(modules: dict[str, str]) -> dict:
    per_folder = Counter(os.path.dirname(path) for path in modules.values())
    return {
        "top_level": per_folder[PACKAGE],
        "total": len(modules),
        "per_folder": dict(sorted(per_folder.items())),
    }


# -- 2. imports ---------------------------------------------------------------------------------
def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(name: str, modules: dict[str, str]) -> str | None:
    """The longest prefix of dotted `name` that is a ganzoo module."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def module_imports(module: str, tree: ast.AST, modules: dict[str, str]) -> list[tuple]:
    """(target module, kind, line) of each import of a ganzoo module in `tree`; kind: top
    (runs when the module is imported), deferred (inside a function), type_only (under
    TYPE_CHECKING), dynamic (importlib.import_module)."""
    is_package = modules[module].endswith("__init__.py")
    package = module if is_package else module.rpartition(".")[0]
    found = []
    strings = []  # (string, line): candidates for a lazy import table
    lazy = False

    def add(name, kind, line):
        target = _resolve(name, modules) if name else None
        if target and target != module:
            found.append((target, kind, line))

    def visit(node, kind):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, "type_only")
            for child in node.orelse:
                visit(child, kind)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            kind = "deferred" if kind == "top" else kind
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    add(alias.name, kind, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base == PACKAGE or base.startswith(PACKAGE + "."):
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    add(full if full in modules else base, kind, node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "import_module" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    if arg.value.startswith(PACKAGE):
                        add(arg.value, "dynamic" if kind != "type_only" else kind, node.lineno)
                else:
                    nonlocal lazy
                    lazy = True
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in modules and kind != "type_only":
                strings.append((node.value, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, kind)

    visit(tree, "top")
    if lazy:
        for name, line in strings:
            add(name, "dynamic", line)
    return found


def import_graph(trees: dict[str, ast.AST], modules: dict[str, str]) -> dict:
    edges = {}  # (a, b) -> set of kinds
    for module, tree in trees.items():
        for target, kind, _ in module_imports(module, tree, modules):
            edges.setdefault((module, target), set()).add(kind)
    runtime = {e for e, kinds in edges.items() if kinds - {"type_only"}}
    import_time = {e for e, kinds in edges.items() if "top" in kinds}
    sccs = strongly_connected(modules, runtime)
    sccs_import_time = strongly_connected(modules, import_time)

    def summary(components):
        cycles = [c for c in components if len(c) > 1]
        largest = cycles[0] if cycles else []
        return {
            "largest_cycle_size": len(largest),
            "largest_cycle": largest,
            "cycles": len(cycles),
            "modules_in_cycles": sum(map(len, cycles)),
            "cycle_sizes": [len(c) for c in cycles],
        }

    return {
        "edges_any_depth": len(runtime),
        "edges_import_time": len(import_time),
        "edges_only_deferred_or_dynamic": len(runtime - import_time),
        "edges_type_only": len([e for e, k in edges.items() if k == {"type_only"}]),
        "any_depth": summary(sccs),
        "import_time": summary(sccs_import_time),
        "all_cycles": [c for c in sccs if len(c) > 1],
        "edges": [[a, b, "+".join(sorted(edges[(a, b)]))] for a, b in sorted(edges)],
    }


def strongly_connected(nodes, edges) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively; largest first, members sorted."""
    succ = defaultdict(list)
    for a, b in sorted(edges):
        succ[a].append(b)
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(succ[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
    return sorted(out, key=lambda c: (-len(c), c))


# -- 3. family checks ---------------------------------------------------------------------------
def family_files(root: str, modules: dict[str, str], globs: list[str] | None) -> tuple:
    """(paths of the family-specific files, the rule used)."""
    paths = sorted(modules.values())
    families_dir = os.path.join(PACKAGE, "families") + os.sep
    under = {p for p in paths if p.startswith(families_dir)}
    if globs is None:
        if os.path.isdir(os.path.join(root, PACKAGE, "families")):
            return under, f"family files: everything under {families_dir}"
        globs = list(FAMILY_MODULES_BEFORE)
        rule = "no ganzoo/families/: family files are FAMILY_MODULES_BEFORE"
    else:
        rule = f"family files: under {families_dir} and --family-modules"
    named = {
        p for p in paths if any(fnmatch.fnmatch(os.path.relpath(p, PACKAGE), g) for g in globs)
    }
    return under | named, rule


def _chain(node) -> str:
    """'config.model.arch' for an attribute chain (names and attributes only), else ''."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _field(node) -> str:
    """The FAMILY_FIELDS entry `node` reads (config.model.arch, model.arch, m.arch), or ''."""
    chain = _chain(node)
    if not chain:
        return ""
    for field in FAMILY_FIELDS:
        section, attr = field.split(".")
        if chain == field or chain.endswith("." + field):
            return field
        # a section held in a variable: model.arch, m.arch (not for i2i/cyclegan/data: their
        # last names, task/enabled/source, are too common)
        if section == "model" and chain.endswith("." + attr) and chain.count(".") == 1:
            return field
    return ""


def _constants(node) -> list:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [v for elt in node.elts for v in _constants(elt)]
    return []


def _name(node) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return getattr(node, "id", "")


def _is_family_class(node) -> bool:
    if isinstance(node, ast.Tuple):
        return any(_is_family_class(e) for e in node.elts)
    name = _name(node)
    return name in FAMILY_CLASSES or (name.endswith("GAN") and name != "GAN")


def _rank_sniff(node: ast.Compare) -> bool:
    operands = [node.left, *node.comparators]
    numbers = [v for o in operands for v in _constants(o) if isinstance(v, int)]
    for o in operands:
        if isinstance(o, ast.Attribute) and o.attr == "ndim":
            if 5 in numbers or _name(o.value) == "samples":
                return True
        if (
            isinstance(o, ast.Call)
            and _name(o.func) == "len"
            and o.args
            and isinstance(o.args[0], ast.Attribute)
            and o.args[0].attr in ("shape", "output_shape")
            and 5 in numbers
        ):
            return True
    return False


def family_checks_in(tree: ast.AST, lines: list[str]) -> list[dict]:
    """Matches of FAMILY_CHECK_PATTERNS: dicts of pattern, line, statement line, text."""
    found = []

    def match(pattern, node, stmt):
        found.append(
            {
                "pattern": pattern,
                "line": node.lineno,
                "statement": stmt.lineno,
                "text": lines[node.lineno - 1].strip()[:120],
            }
        )

    def validation(stmt):  # `if <test>: raise ...`: the test checks inputs, it picks nothing
        return isinstance(stmt, ast.If) and all(isinstance(b, ast.Raise) for b in stmt.body)

    def visit(node, stmt, decision):
        if isinstance(node, ast.stmt):
            stmt = node
        if isinstance(node, ast.JoinedStr):
            return  # an f-string: a message
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in FAMILY_PREDICATES:
                match("predicate", node, stmt)
            elif name == "isinstance" and len(node.args) == 2 and _is_family_class(node.args[1]):
                match("isinstance", node, stmt)
            elif name in ("getattr", "hasattr") and len(node.args) >= 2:
                if set(_constants(node.args[1])) & set(FAMILY_ATTRIBUTES):
                    match("getattr", node, stmt)
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if _rank_sniff(node) and not validation(stmt):
                match("array_rank", node, stmt)
            if isinstance(node.ops[0], (ast.In, ast.NotIn)) and set(_constants(node.left)) & set(
                FAMILY_RESULT_KEYS
            ):
                match("result_key", node, stmt)
            values = {v for o in operands for v in _constants(o)} | {_name(o) for o in operands}
            for operand in operands:
                field = _field(operand)
                if field == "data.source" and not values & set(FAMILY_SOURCES):
                    continue
                if field == "model.arch" and not values & set(FAMILY_ARCHS):
                    continue
                if field and field != "cyclegan.enabled":
                    match("config_field", node, stmt)
                    break
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            section, dot, rest = node.value.partition(".")
            if (
                section in FAMILY_SECTIONS
                and dot
                and node.value.replace("_", "").replace(".", "").isalnum()
                and not isinstance(stmt, ast.Expr)  # a docstring
            ):
                match("family_key", node, stmt)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            field = _field(node)
            if field == "cyclegan.enabled" or (
                decision and field and field not in ("data.source", "model.arch")
            ):
                match("config_field", node, stmt)
        # Which children sit in a decision position (their truth value is tested).
        tested = set()
        if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            tested.add(id(node.test))
        elif isinstance(node, ast.BoolOp):
            tested.update(id(v) for v in node.values)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            tested.add(id(node.operand))
        if isinstance(node, ast.Attribute) and _chain(node):
            return  # a chain of names, looked at as a whole
        for child in ast.iter_child_nodes(node):
            # (a Compare's operands were looked at by the Compare)
            visit(child, stmt, id(child) in tested and not isinstance(node, ast.Compare))

    visit(tree, tree, False)
    # One check per (statement, pattern); keep the first match's line and text.
    seen, checks = set(), []
    for item in sorted(found, key=lambda f: (f["line"], f["pattern"])):
        key = (item["statement"], item["pattern"])
        item["first_of_statement"] = key not in seen
        seen.add(key)
        checks.append(item)
    return checks


def family_checks(trees, sources, modules, family: set[str], rule: str) -> dict:
    shared = sorted(p for p in modules.values() if p not in family)
    by_path = {modules[m]: t for m, t in trees.items()}
    per_file, raw_per_file, per_pattern, occurrences = {}, {}, Counter(), []
    for path in shared:
        found = family_checks_in(by_path[path], sources[path])
        checks = [f for f in found if f["first_of_statement"]]
        if found:
            per_file[path] = len(checks)
            raw_per_file[path] = len(found)
        per_pattern.update(f["pattern"] for f in checks)
        for f in found:
            occurrences.append({"file": path, **{k: f[k] for k in ("line", "pattern", "text")}})
    per_file = dict(sorted(per_file.items(), key=lambda kv: (-kv[1], kv[0])))
    return {
        "rule": rule,
        "patterns": [{"name": n, "matches": d} for n, d in FAMILY_CHECK_PATTERNS],
        "family_files": sorted(family),
        "shared_files": len(shared),
        "total": sum(per_file.values()),
        "raw_matches": sum(raw_per_file.values()),
        "files_with_checks": len(per_file),
        "per_file": per_file,
        "raw_matches_per_file": dict(sorted(raw_per_file.items())),
        "per_pattern": dict(sorted(per_pattern.items())),
        "occurrences": occurrences,
    }


def shared_to_family(graph: dict, modules: dict[str, str], family: set[str]) -> dict:
    """Family-specific modules that each shared module imports (any depth, not type-only)."""
    out = defaultdict(list)
    for a, b, kinds in graph["edges"]:
        if kinds == "type_only":
            continue
        if modules[a] not in family and modules[b] in family:
            out[modules[a]].append(b)
    return {
        "edges": sum(map(len, out.values())),
        "shared_files": len(out),
        "per_file": {k: sorted(v) for k, v in sorted(out.items())},
    }


# -- 4. the plain run -----------------------------------------------------------------------------
def _git(root: str, *args) -> str:
    try:
        return subprocess.run(
            ["git", "-C", root, *args], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _env(root: str) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the analysed tree is only read
    env["CUDA_VISIBLE_DEVICES"] = ""  # the same figures on a machine with a GPU
    return env


def _write_fake_idx(folder: str, num: int = 256) -> None:
    """Tiny MNIST-style IDX files (random digits), written without ganzoo: its idx.write_idx
    format (00 00 08 ndim, big-endian uint32 dims, the bytes)."""
    import random

    rng = random.Random(0)
    for split in ("train", "t10k"):
        images = bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (num, 28, 28))
        images += bytes(rng.randrange(256) for _ in range(num * 28 * 28))
        labels = bytes([0, 0, 8, 1]) + num.to_bytes(4, "big") + bytes(i % 10 for i in range(num))
        with open(os.path.join(folder, f"{split}-images-idx3-ubyte"), "wb") as f:
            f.write(images)
        with open(os.path.join(folder, f"{split}-labels-idx1-ubyte"), "wb") as f:
            f.write(labels)


def plain_run(root: str, trees: dict, modules: dict[str, str], family: set[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="ganzoo_arch_") as tmp:
        data = os.path.join(tmp, "idx")
        os.makedirs(data)
        _write_fake_idx(data)
        trace_json = os.path.join(tmp, "trace.json")
        args = [*PLAIN_RUN_ARGS, f"--set=data.dir={data}", f"--workdir={tmp}/run"]
        command = [sys.executable, "-c", TRACER, root, trace_json, *args]
        try:
            proc = subprocess.run(
                command,
                cwd=root,
                env=_env(root),
                capture_output=True,
                text=True,
                timeout=PLAIN_RUN_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {PLAIN_RUN_TIMEOUT_S}s"}
        shown = "python -m ganzoo.run " + " ".join(
            a.replace(data, "DIR").replace(tmp + "/run", "TMP") for a in args
        )
        if not os.path.exists(trace_json):
            return {"command": shown, "error": proc.stderr[-3000:]}
        with open(trace_json) as f:
            trace = json.load(f)
    expected = os.path.join(root, PACKAGE, "__init__.py")
    if os.path.realpath(trace["ganzoo_file"]) != os.path.realpath(expected):
        return {"command": shown, "error": f"ran {trace['ganzoo_file']}, not {expected}"}
    functions = trace["functions"]
    defined = defaultdict(set)  # file -> names of the functions it defines
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defined[modules[module]].add(node.name)
    autograph = defaultdict(list)  # file -> functions that AutoGraph ran under tf.function
    for path, name in trace["autograph"]:
        if name in defined[path]:  # not AutoGraph's own (inner_factory, if_body, ...)
            autograph[path].append(name)
    autograph = {k: sorted(set(v)) for k, v in sorted(autograph.items())}
    with_autograph = set(functions) | set(autograph)
    imported = [m for m in trace["modules"] if m in modules]
    lines = [line.replace(tmp, "TMP") for line in proc.stdout.splitlines() if line.strip()]
    return {
        "command": shown,
        "exit_code": trace["exit_code"],
        "stdout_tail": lines[-3:],
        "stderr_tail": proc.stderr[-2000:] if trace["exit_code"] else "",
        "files_run": len(with_autograph),
        "files_run_outside_autograph": len(functions),
        "files": sorted(with_autograph),
        "family_specific_files_run": sorted(with_autograph & family),
        "functions": dict(sorted(functions.items())),
        "autograph_functions": autograph,
        "files_with_only_autograph_functions": sorted(set(autograph) - set(functions)),
        "ganzoo_modules_imported": len(imported),
        "modules_imported": imported,
        "imported_but_no_function_run": sorted(
            modules[m] for m in imported if modules[m] not in with_autograph
        ),
    }


def import_cost(root: str, module: str) -> dict:
    code = (
        "import sys, json, time; t = time.perf_counter(); import "
        + module
        + "; s = time.perf_counter() - t; print(json.dumps({'tensorflow': 'tensorflow' in "
        "sys.modules, 'keras': 'keras' in sys.modules, 'ganzoo_modules': sorted(m for m in "
        "sys.modules if m == 'ganzoo' or m.startswith('ganzoo.')), 'seconds': round(s, 2)}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=_env(root), capture_output=True, text=True
    )
    if proc.returncode:
        return {"error": proc.stderr[-2000:]}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "loads_tensorflow": out["tensorflow"],
        "loads_keras": out["keras"],
        "ganzoo_modules": len(out["ganzoo_modules"]),
        "modules": out["ganzoo_modules"],
        "seconds": out["seconds"],
    }


# -- 5. layers ----------------------------------------------------------------------------------
def layer_of(module: str) -> str:
    best, best_len = DEFAULT_LAYER, -1
    for layer, prefixes in LAYERS:
        for prefix in prefixes:
            if "*" in prefix:
                if fnmatch.fnmatchcase(module, prefix):
                    return layer
                continue
            exact = prefix.startswith("=")
            prefix = prefix.lstrip("=")
            hit = module == prefix or (not exact and module.startswith(prefix + "."))
            length = len(prefix) + (0.5 if exact else 0)  # "=name" beats the prefix "name"
            if hit and length > best_len:
                best_len = length
                if "{name}" in layer:
                    rest = module[len(prefix) + 1 :].split(".")[0] if module != prefix else ""
                    best = layer.format(name=rest) if rest else layer.split("/{name}")[0]
                else:
                    best = layer
    return best


def layer_rank(box: str) -> int:
    """0 for the top layer; boxes of a {name} layer share its rank."""
    for i, (layer, _) in enumerate(LAYERS):
        head = layer.split("{name}")[0].rstrip("/")
        if box == layer or ("{name}" in layer and (box == head or box.startswith(head + "/"))):
            return i
    return len(LAYERS)


def folder_of(module: str, modules: dict[str, str]) -> str:
    return os.path.dirname(modules[module]) + "/"


def family_order(modules: dict[str, str], root: str) -> list[str]:
    """BUILTIN of ganzoo/families/__init__.py (read, not imported), or [] when absent."""
    rel = modules.get(f"{PACKAGE}.families")
    path = os.path.join(root, rel) if rel else ""
    if not path or not os.path.exists(path):
        return []
    for node in ast.parse(open(path, encoding="utf-8").read()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "BUILTIN" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    return []


def allowed_sideways(box_a: str, box_b: str, order: list[str]) -> bool:
    """families/x -> families/y when y comes before x in BUILTIN."""
    a, b = box_a.partition("/")[2], box_b.partition("/")[2]
    return a in order and b in order and order.index(b) < order.index(a)


def boxes(graph: dict, modules: dict[str, str], view: str, root: str = DEFAULT_ROOT) -> dict:
    assign = {
        m: (layer_of(m) if view == "layers" else folder_of(m, modules)) for m in sorted(modules)
    }
    counts = Counter()
    for a, b, kinds in graph["edges"]:
        if kinds != "type_only" and assign[a] != assign[b]:
            counts[(assign[a], assign[b])] += 1
    internal = Counter(
        assign[a] for a, b, k in graph["edges"] if k != "type_only" and assign[a] == assign[b]
    )
    out = {
        "view": view,
        "boxes": {
            box: sorted(m for m in assign if assign[m] == box)
            for box in sorted(set(assign.values()))
        },
        "edges": {f"{a} -> {b}": n for (a, b), n in sorted(counts.items())},
        "internal_edges": dict(sorted(internal.items())),
    }
    if view == "layers":
        upward, order = [], family_order(modules, root)
        for a, b, kinds in graph["edges"]:
            if kinds == "type_only":
                continue
            ra, rb = layer_rank(assign[a]), layer_rank(assign[b])
            sideways = ra == rb and assign[a] != assign[b]
            if ra > rb or (sideways and not allowed_sideways(assign[a], assign[b], order)):
                upward.append(f"{a} ({assign[a]}) -> {b} ({assign[b]}) [{kinds}]")
        out["upward_or_sideways_edges"] = upward
        out["family_order"] = order
    return out


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    names = ["DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"]
    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu"):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.exists(path):
                return ImageFont.truetype(path, size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def draw(layout: dict, modules: dict[str, str], family: set[str], title: str, path: str) -> None:
    """The boxes (rows by layer, or ganzoo/ above its subfolders) with their modules listed,
    and an arrow per pair of boxes with the number of module imports from one to the other.
    Arrows between boxes of one row run below that row."""
    from PIL import Image, ImageDraw

    font, small, bold, big = _font(13), _font(12), _font(15, bold=True), _font(20, bold=True)
    line_h, pad, per_col, lane_h = 16, 10, 18, 16
    layers_view = layout["view"] == "layers"
    box_names = list(layout["boxes"])
    if layers_view:
        ranks = sorted({layer_rank(b) for b in box_names})
        rows = [[b for b in box_names if layer_rank(b) == r] for r in ranks]
    else:
        top = [b for b in box_names if b.rstrip("/") == PACKAGE]
        rows = [top, [b for b in box_names if b not in top]]
    row_of = {b: i for i, row in enumerate(rows) for b in row}
    edges = [(*k.split(" -> "), n) for k, n in layout["edges"].items()]

    def short(module: str, box: str) -> str:
        name = module[len(PACKAGE) + 1 :] if module != PACKAGE else "__init__"
        if layers_view:
            prefix = box.replace("/", ".") if "/" in box or box == "families" else ""
        else:
            prefix = box.rstrip("/").replace("/", ".").replace(PACKAGE, "", 1).lstrip(".")
        if prefix and (name == prefix or name.startswith(prefix + ".")):
            name = name[len(prefix) + 1 :] or "__init__"
        return name

    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    size = {}
    for box in box_names:
        names = [short(m, box) for m in layout["boxes"][box]]
        cols = max(1, -(-len(names) // per_col))
        col_w = max(measure.textlength(n, font=font) for n in names) + 14
        n_rows = -(-len(names) // cols)
        head = f"{box} ({len(names)})"
        internal = layout["internal_edges"].get(box, 0)
        head_w = measure.textlength(head, font=bold) + (
            measure.textlength(f"  {internal} internal", font=small) if internal else 0
        )
        width = max(cols * col_w, head_w) + 2 * pad
        size[box] = (int(width), int(34 + n_rows * line_h + pad), cols, col_w, n_rows)

    gap_x, gap_y, margin = 36, 130, 40
    lanes = [[e for e in edges if row_of[e[0]] == row_of[e[1]] == i] for i in range(len(rows))]
    row_w = [sum(size[b][0] for b in row) + gap_x * (len(row) - 1) for row in rows]
    title_w = measure.textlength(title, font=big)
    width = int(max(max(row_w), title_w) + 2 * margin)
    y, pos, lane_y = 90, {}, {}
    for i, (row, w) in enumerate(zip(rows, row_w, strict=True)):
        x = (width - w) / 2
        h = max(size[b][1] for b in row)
        for b in row:
            pos[b] = (x, y, x + size[b][0], y + size[b][1])
            x += size[b][0] + gap_x
        for k, e in enumerate(lanes[i]):
            lane_y[e[:2]] = y + h + 14 + k * lane_h
        y += h + gap_y + len(lanes[i]) * lane_h
    height = int(y - gap_y + 70)
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((margin, 20), title, fill="black", font=big)
    legend = (
        "boxes: "
        + ("layers (LAYERS in docs/make_architecture.py)" if layers_view else "folders")
        + "; arrow A -> B labelled n: n module imports (any depth) from A's modules to B's"
        + (
            "; green: a family building on one listed before it in BUILTIN; red: up the "
            "layers, or to a family listed after it"
            if layers_view
            else ""
        )
    )
    d.text((margin, 52), legend, fill="dimgray", font=small)

    def label(at, text, color):
        tw = measure.textlength(text, font=small)
        d.rectangle([at[0] - tw / 2 - 2, at[1] - 8, at[0] + tw / 2 + 2, at[1] + 7], fill="white")
        d.text((at[0] - tw / 2, at[1] - 8), text, fill=color, font=small)

    # Spread the arrows' ends along each box's edge, in the order of the other boxes' x.
    # (the two arrows of a pair in the same order at both ends, so that they do not cross)
    ends = defaultdict(list)  # (box, side) -> (other box, the arrow's order in its pair)
    for a, b, _ in edges:
        order = int(a > b)
        if row_of[a] == row_of[b]:
            ends[(a, "bottom")].append((b, order))
            ends[(b, "bottom")].append((a, order))
        elif row_of[a] < row_of[b]:
            ends[(a, "bottom")].append((b, order))
            ends[(b, "top")].append((a, order))
        else:
            ends[(a, "top")].append((b, order))
            ends[(b, "bottom")].append((a, order))

    def end_x(box, side, other, order):
        items = sorted(ends[(box, side)], key=lambda o: ((pos[o[0]][0] + pos[o[0]][2]) / 2, o[1]))
        x0, _, x1, _ = pos[box]
        i = items.index((other, order))
        return x0 + (x1 - x0) * (i + 1) / (len(items) + 1)

    labels = []
    for a, b, n in edges:
        sideways = layers_view and layer_rank(a) == layer_rank(b)
        allowed = sideways and allowed_sideways(a, b, layout.get("family_order", []))
        up = layers_view and (layer_rank(a) > layer_rank(b) or (sideways and not allowed))
        color = "firebrick" if up else ("seagreen" if allowed else "steelblue")
        ax0, ay0, ax1, ay1 = pos[a]
        bx0, by0, bx1, by1 = pos[b]
        if row_of[a] == row_of[b]:  # under the row
            ly = lane_y[(a, b)]
            sx, tx = end_x(a, "bottom", b, int(a > b)), end_x(b, "bottom", a, int(a > b))
            points = [(sx, ay1), (sx, ly), (tx, ly), (tx, by1)]
            at = ((sx + tx) / 2, ly)
        else:
            down = row_of[a] < row_of[b]
            sx = end_x(a, "bottom" if down else "top", b, int(a > b))
            tx = end_x(b, "top" if down else "bottom", a, int(a > b))
            points = [(sx, ay1 if down else ay0), (tx, by0 if down else by1)]
            (px, py), (qx, qy) = points
            # the label where no box hides it, near the arrow's head if it can
            at = (px + (qx - px) * 0.7, py + (qy - py) * 0.7)
            for t in (0.7, 0.8, 0.6, 0.9, 0.5, 0.4, 0.3, 0.2):
                x, y = px + (qx - px) * t, py + (qy - py) * t
                if not any(
                    x0 - 12 < x < x1 + 12 and y0 - 10 < y < y1 + 10
                    for x0, y0, x1, y1 in pos.values()
                ):
                    at = (x, y)
                    break
        d.line(points, fill=color, width=2, joint="curve")
        _arrow_head(d, points[-2], points[-1], color)
        labels.append((at, str(n), color))

    for box in box_names:
        x0, y0, x1, y1 = pos[box]
        w, h, cols, col_w, n_rows = size[box]
        is_family = box == "families" or box.startswith("families/")
        fill = "#fff4e0" if is_family else "#eef3fa"
        d.rectangle([x0, y0, x1, y1], outline="black", width=2, fill=fill)
        head = f"{box} ({len(layout['boxes'][box])})"
        d.text((x0 + pad, y0 + 7), head, fill="black", font=bold)
        internal = layout["internal_edges"].get(box, 0)
        if internal:
            d.text(
                (x0 + pad + measure.textlength(head, font=bold) + 8, y0 + 9),
                f"{internal} internal",
                fill="dimgray",
                font=small,
            )
        for i, module in enumerate(layout["boxes"][box]):
            col, row = divmod(i, n_rows)
            color = "darkorange" if modules[module] in family and not is_family else "black"
            d.text(
                (x0 + pad + col * col_w, y0 + 32 + row * line_h),
                short(module, box),
                fill=color,
                font=font,
            )
    for at, text, color in labels:  # over the boxes
        label(at, text, color)
    if any(
        modules[m] in family
        for b in box_names
        if not (b == "families" or b.startswith("families/"))
        for m in layout["boxes"][b]
    ):
        d.text(
            (margin, height - 36),
            "orange: family-specific modules outside ganzoo/families/ (FAMILY_MODULES_BEFORE or "
            "--family-modules); black: shared",
            fill="darkorange",
            font=small,
        )
    img.save(path)


def _arrow_head(d, start, end, color) -> None:
    import math

    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    left = (end[0] - 10 * math.cos(angle - 0.4), end[1] - 10 * math.sin(angle - 0.4))
    right = (end[0] - 10 * math.cos(angle + 0.4), end[1] - 10 * math.sin(angle + 0.4))
    d.polygon([end, left, right], fill=color)


# -- main ---------------------------------------------------------------------------------------
def analyse(root: str, family_globs: list[str] | None, run: bool) -> dict:
    modules = find_modules(root)
    if not modules:
        raise SystemExit(f"error: no {PACKAGE}/ package under {root}")
    trees, sources = {}, {}
    for module, rel in modules.items():
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        trees[module] = ast.parse(text, filename=path)
        sources[rel] = text.splitlines()
    family, rule = family_files(root, modules, family_globs)
    graph = import_graph(trees, modules)
    view = "layers" if os.path.isdir(os.path.join(root, PACKAGE, "families")) else "folders"
    status = _git(root, "status", "--porcelain", "--", PACKAGE)
    result = {
        "generated_by": "python docs/make_architecture.py",
        "commit": _git(root, "rev-parse", "HEAD"),
        "commit_short": _git(root, "rev-parse", "--short", "HEAD"),
        "uncommitted_changes_in_ganzoo": bool(status),
        "python": sys.version.split()[0],
        "modules": {**count_modules(modules), "list": list(modules)},
        "imports": graph,
        "family_checks": family_checks(trees, sources, modules, family, rule),
        "shared_imports_of_family_modules": shared_to_family(graph, modules, family),
        "layers": boxes(graph, modules, view, root),
    }
    if run:
        result["import_ganzoo_config"] = import_cost(root, "ganzoo.config")
        result["import_ganzoo"] = import_cost(root, "ganzoo")
        result["plain_run"] = plain_run(root, trees, modules, family)
    return result


def report(r: dict, root: str) -> str:
    m, g, fc = r["modules"], r["imports"], r["family_checks"]
    out = [
        f"ganzoo at {root} (commit {r['commit_short'] or '?'}"
        + (", with uncommitted changes in ganzoo/)" if r["uncommitted_changes_in_ganzoo"] else ")"),
        f"1. modules: {m['top_level']} directly in ganzoo/ (incl. __init__.py), {m['total']} in "
        f"total ({', '.join(f'{k}/ {v}' for k, v in m['per_folder'].items())})",
        f"2. imports (any depth): {g['edges_any_depth']} edges between modules "
        f"({g['edges_import_time']} at import time, {g['edges_only_deferred_or_dynamic']} only "
        f"deferred/dynamic, {g['edges_type_only']} type-only left out)",
        f"   largest import cycle: {g['any_depth']['largest_cycle_size']} modules "
        f"({g['any_depth']['cycles']} cycles, sizes {g['any_depth']['cycle_sizes']})",
        textwrap.fill(
            ", ".join(g["any_depth"]["largest_cycle"]),
            100,
            initial_indent="     ",
            subsequent_indent="     ",
        ),
        "   import-time cycles (module-level imports only): "
        + (
            f"largest {g['import_time']['largest_cycle_size']}: "
            + ", ".join(g["import_time"]["largest_cycle"])
            if g["import_time"]["cycles"]
            else "none"
        ),
        f"3. family checks in shared files: {fc['total']} checks ({fc['raw_matches']} matches) in "
        f"{fc['files_with_checks']} of {fc['shared_files']} shared files [{fc['rule']}]",
    ]
    out += [f"     {path}: {n}" for path, n in fc["per_file"].items()]
    out.append(f"   by pattern: {fc['per_pattern']}")
    sf = r["shared_imports_of_family_modules"]
    out.append(
        f"   shared files importing family modules: {sf['shared_files']} ({sf['edges']} imports)"
    )
    for key in ("import_ganzoo_config", "import_ganzoo"):
        if key in r:
            c = r[key]
            name = key.replace("import_", "").replace("_", ".")
            out.append(
                f"4. import {name}: "
                + (
                    c["error"].strip().splitlines()[-1]
                    if "error" in c
                    else f"TensorFlow {'loaded' if c['loads_tensorflow'] else 'not loaded'}, "
                    f"{c['ganzoo_modules']} ganzoo modules, {c['seconds']}s"
                )
            )
    if "plain_run" in r:
        p = r["plain_run"]
        if "error" in p:
            out.append(f"4. plain run failed: {p['error'][-600:]}")
        else:
            out.append(
                f"4. plain run ({p['command']}): exit {p['exit_code']}; functions ran in "
                f"{p['files_run']} ganzoo files ({p['files_run_outside_autograph']} without "
                "those that only AutoGraph ran); "
                f"{p['ganzoo_modules_imported']} ganzoo modules imported; "
                f"{len(p['family_specific_files_run'])} of the files are family-specific"
            )
            out.append(
                textwrap.fill(
                    ", ".join(p["files"]), 100, initial_indent="     ", subsequent_indent="     "
                )
            )
    lay = r["layers"]
    out.append(f"5. {lay['view']}: " + ", ".join(f"{k}: {v}" for k, v in lay["edges"].items()))
    if lay.get("upward_or_sideways_edges"):
        out.append(f"   up the layers or between families: {len(lay['upward_or_sideways_edges'])}")
        out += [f"     {e}" for e in lay["upward_or_sideways_edges"][:40]]
    return "\n".join(out)


# -- the before/after table of docs/architecture.md ---------------------------------------------
def _cycles(r: dict) -> str:
    sizes = r["imports"]["any_depth"]["cycle_sizes"]
    if not sizes:
        return "none"
    others = ", ".join(f"one of {n}" for n in sizes[1:])
    return f"{sizes[0]} modules" + (f" (and {others})" if others else "")


def _family_checks(r: dict) -> str:
    fc = r["family_checks"]
    text = f"{fc['total']} in {fc['files_with_checks']} files"
    if 0 < fc["files_with_checks"] <= 3:  # few enough to name
        files = ", ".join(f"`{os.path.basename(p)}` {n}" for p, n in fc["per_file"].items())
        patterns = ", ".join(f"`{k}` {n}" for k, n in fc["per_pattern"].items())
        text += f" ({files}; by pattern: {patterns})"
    return text


def _import_config(r: dict) -> str:
    c = r.get("import_ganzoo_config")
    if not c or "error" in c:
        return "not measured"
    tf = "loads TensorFlow" if c["loads_tensorflow"] else "no TensorFlow"
    return f"{tf}, {c['ganzoo_modules']} ganzoo modules"


def _plain_run(r: dict) -> str:
    p = r.get("plain_run")
    if not p or "error" in p:
        return "not measured"
    return f"{p['files_run']}, {len(p['family_specific_files_run'])} of them family-specific"


def before_after_table(after: dict, before_json: str) -> str:
    """docs/architecture.md's table: the figures of two --json files side by side (the loaded
    `after`, and `before_json`, a path relative to the repository)."""
    with open(os.path.join(DEFAULT_ROOT, before_json), encoding="utf-8") as f:
        before = json.load(f)

    def title(name: str, r: dict) -> str:
        dirty = ", with uncommitted changes" if r["uncommitted_changes_in_ganzoo"] else ""
        return f"{name} ({r['commit_short']}{dirty})"

    rows = [
        ("modules directly in `ganzoo/`", lambda r: r["modules"]["top_level"]),
        ("modules in all", lambda r: r["modules"]["total"]),
        ("largest import cycle (imports at any depth)", _cycles),
        ("checks in shared files that decide which family runs", _family_checks),
        ("`import ganzoo.config`", _import_config),
        ("ganzoo files a plain `mnist_dcgan` run (2 steps) runs functions in", _plain_run),
    ]
    from docs.tables import markdown_table

    header = ["", title("before", before), title("after", after)]
    return markdown_table(header, [[name, f(before), f(after)] for name, f in rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=DEFAULT_ROOT, help="a ganzoo checkout")
    parser.add_argument("--json", help="write every figure to this JSON file")
    parser.add_argument("--png", help="draw the layers (or folders) into this PNG file")
    parser.add_argument(
        "--family-modules",
        help="comma-separated globs relative to ganzoo/ of family-specific modules besides "
        "ganzoo/families/ (default: FAMILY_MODULES_BEFORE when the tree has no families/)",
    )
    parser.add_argument("--no-run", action="store_true", help="skip the plain run (4.)")
    args = parser.parse_args(argv)
    root = os.path.abspath(args.root)
    globs = [g.strip() for g in args.family_modules.split(",")] if args.family_modules else None
    result = analyse(root, globs, run=not args.no_run)
    print(report(result, root))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1, sort_keys=False)
            f.write("\n")
        print(f"wrote {args.json}")
    if args.png:
        modules = find_modules(root)
        family = set(result["family_checks"]["family_files"])
        title = (
            f"ganzoo {result['commit_short']}"
            + (" (uncommitted changes)" if result["uncommitted_changes_in_ganzoo"] else "")
            + f": {result['modules']['total']} modules, "
            f"{result['imports']['edges_any_depth']} import edges, largest cycle "
            f"{result['imports']['any_depth']['largest_cycle_size']}, "
            f"{result['family_checks']['total']} family checks in shared files"
        )
        draw(result["layers"], modules, family, title, args.png)
        print(f"wrote {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
