"""Write an ONNX model of a given size whose inference costs almost nothing.

The graph is `output = input + Gather(weights, [0])`: one float32 initializer
of SIZE_MIB MiB, stored inside the model file (no external data), of which
inference reads one row. ONNX Runtime folds the Gather into a constant when it
loads the model, so the converter's validation and benchmark stay cheap and
the run measures the transfers, not the compute.

usage: make_onnx_model.py OUTPUT.onnx SIZE_MIB
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROW_WIDTH = 4
# protobuf cannot serialize a message of 2 GiB or more, and the graph needs a
# few hundred bytes beside the initializer.
MAX_SIZE_MIB = 2047


def make_model(size_mib: int) -> onnx.ModelProto:
    rows = size_mib * (1 << 20) // (4 * ROW_WIDTH)
    # Random values, so that the data does not shrink if a layer on the way compresses it.
    weights = np.random.default_rng(0).random((rows, ROW_WIDTH), dtype=np.float32)
    nodes = [
        helper.make_node("Gather", ["weights", "row"], ["picked"], axis=0),
        helper.make_node("Add", ["input", "picked"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "transfer_bench",
        inputs=[helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, ROW_WIDTH])],
        outputs=[helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, ROW_WIDTH])],
        initializer=[
            numpy_helper.from_array(weights, "weights"),
            numpy_helper.from_array(np.array([0], dtype=np.int64), "row"),
        ],
    )
    # A fixed opset and IR version, so the file does not depend on the installed onnx package's defaults.
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    path, size_text = sys.argv[1], sys.argv[2]
    size_mib = int(size_text)
    if not 1 <= size_mib <= MAX_SIZE_MIB:
        print(f"invalid SIZE_MIB {size_mib}: give 1 to {MAX_SIZE_MIB}", file=sys.stderr)
        return 2

    onnx.save_model(make_model(size_mib), path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
