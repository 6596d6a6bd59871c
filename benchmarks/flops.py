"""FLOPs of a traced step, counted op by op from its TensorFlow graph, plus hand-count formulas.

The per-op numbers are TensorFlow's own registered statistics (the ones
`tf.compat.v1.profiler` sums: 2 FLOPs per multiply-add, one per element for element-wise ops),
but only for the ops the step actually runs: those the function's outputs and side effects
depend on. A gradient op such as a discriminator weight gradient built during the generator
step and never used is pruned by TensorFlow at run time; the profiler still counts it.
"""

from __future__ import annotations

import collections
import dataclasses

import tensorflow as tf
from tensorflow.python.framework import ops as tf_ops

# Importing it registers the statistics of MatMul, the conv gradients, element-wise ops ...
from tensorflow.python.profiler.internal import flops_registry  # noqa: F401
from tensorflow.python.util import deprecation

# Ops whose cost lives in another function body: not followed, reported as uncounted.
_CALL_OPS = frozenset(
    {"PartitionedCall", "StatefulPartitionedCall", "While", "StatelessWhile", "If", "StatelessIf"}
)
_MATMUL_CONV = frozenset(
    {
        "MatMul",
        "BatchMatMul",
        "BatchMatMulV2",
        "BatchMatMulV3",
        "Conv2D",
        "Conv2DBackpropInput",
        "Conv2DBackpropFilter",
        "DepthwiseConv2dNative",
        "Conv3D",
    }
)


@dataclasses.dataclass
class FlopCount:
    """FLOPs of one run of a graph: `total`, split by op type."""

    total: int
    by_type: dict[str, int]
    uncounted_calls: int = 0  # nested function calls whose bodies were not counted
    unknown_shape_ops: int = 0  # ops with a FLOP formula but shapes unknown at trace time

    @property
    def matmul_conv(self) -> int:
        """The share in matrix multiplications and convolutions (what torch's counter sees)."""
        return sum(v for k, v in self.by_type.items() if k in _MATMUL_CONV)


def live_ops(graph: tf.Graph) -> list[tf.Operation]:
    """The ops of a function graph that its outputs or side effects (control outputs) need."""
    stack = [t.op for t in graph.outputs] + list(getattr(graph, "control_outputs", []))
    seen: dict[str, tf.Operation] = {}
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen[op.name] = op
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return list(seen.values())


def graph_flops(graph: tf.Graph, *, prune: bool = True) -> FlopCount:
    """FLOPs of one execution of `graph` (a `tf.function`'s concrete `.graph`).

    Needs static shapes (trace with a fully defined `tf.TensorSpec`). `prune=False` counts
    every op in the graph, like `tf.compat.v1.profiler`.
    """
    by_type: collections.Counter[str] = collections.Counter()
    uncounted = unknown = 0
    for op in live_ops(graph) if prune else graph.get_operations():
        if op.type in _CALL_OPS:
            uncounted += 1
            continue
        try:
            with deprecation.silence():  # the registry's shape helper is a deprecated v1 API
                stats = tf_ops.get_stats_for_node_def(graph, op.node_def, "flops")
        except ValueError:  # a registered formula, but a shape is not fully defined
            unknown += 1
            continue
        if stats.value:
            by_type[op.type] += int(stats.value)
    return FlopCount(sum(by_type.values()), dict(by_type), uncounted, unknown)


def function_flops(fn, *specs: tf.TensorSpec, prune: bool = True) -> FlopCount:
    """FLOPs of one call of the Python function `fn` traced on `specs` (nothing is executed)."""
    concrete = tf.function(fn).get_concrete_function(*specs)
    return graph_flops(concrete.graph, prune=prune)


def profiler_flops(graph: tf.Graph) -> int:
    """`tf.compat.v1.profiler`'s float_ops total for `graph` (every op, pruned or not)."""
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return int(tf.compat.v1.profiler.profile(graph=graph, options=options).total_float_ops)


def conv2d_flops(batch: int, out_hw: tuple[int, int], out_c: int, kernel: int, in_c: int) -> int:
    """Hand count of a Conv2D forward pass: 2 * B * H_out * W_out * C_out * k * k * C_in."""
    return 2 * batch * out_hw[0] * out_hw[1] * out_c * kernel * kernel * in_c


def dense_flops(batch: int, n_in: int, n_out: int) -> int:
    """Hand count of a Dense layer's matmul: 2 * B * n_in * n_out."""
    return 2 * batch * n_in * n_out
