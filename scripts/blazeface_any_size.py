#!/usr/bin/env python3
"""Rewrites BlazeFace's back-256 ONNX graph so that it runs on a frame of any size (multiples of 32).

The model is fully convolutional except for three things fixed to its 256x256 input: the input's declared
shape, two zero blocks (ConstantOfShape 1x24x32x32 and 1x48x16x16) concatenated to widen the channels of a
residual path, and the final Reshapes to 512 and 384 anchors. Here the zero blocks become a Pad of the channel
axis, the Reshapes take -1 anchors, and the input's height and width are symbolic. Weights are untouched, so on a
256x256 input the rewritten graph computes what the original does; on a whole 640x480 frame it replaces nine
overlapping 256-pixel tiles (1.9x the pixels) with one run.

Usage: blazeface_any_size.py ORIGINAL.onnx OUTPUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def rewrite(model):
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    nodes = []
    dropped = set()
    for node in graph.node:
        if node.op_type == "ConstantOfShape":
            shape = numpy_helper.to_array(inits[node.input[0]])
            (concat,) = consumers[node.output[0]]
            assert concat.op_type == "Concat" and concat.input[1] == node.output[0]
            axis = [a.i for a in concat.attribute if a.name == "axis"][0]
            assert axis == 1, "zero block must widen channels (NCHW axis 1)"
            pads = np.zeros(8, dtype=np.int64)
            pads[4 + axis] = shape[axis]  # zeros after the existing channels, as the Concat put them
            pads_name = node.output[0] + "_channel_pads"
            graph.initializer.append(numpy_helper.from_array(pads, pads_name))
            dropped.add(concat.name or concat.output[0])
            nodes.append(helper.make_node("Pad", [concat.input[0], pads_name], list(concat.output),
                                          name=(concat.name or concat.output[0]) + "_as_pad", mode="constant"))
            continue
        if node.op_type == "Concat" and (node.name or node.output[0]) in dropped:
            continue
        if node.op_type == "Reshape" and node.input[1] in inits:
            target = numpy_helper.to_array(inits[node.input[1]]).copy()
            assert target.shape == (3,) and target[0] == 1, target
            target[1] = -1
            name = node.input[1] + "_any_anchors"
            graph.initializer.append(numpy_helper.from_array(target.astype(np.int64), name))
            node.input[1] = name
        nodes.append(node)
    # a Concat that consumed a ConstantOfShape comes after it in the graph, so it has been skipped by now
    del graph.node[:]
    graph.node.extend(nodes)

    (inp,) = [i for i in graph.input if i.name not in inits]
    dims = inp.type.tensor_type.shape.dim
    dims[1].dim_param = "H"
    dims[2].dim_param = "W"
    for out in graph.output:
        out.type.tensor_type.shape.dim[1].dim_param = "anchors"
    unused = {i.name for i in graph.initializer} - {n for node in graph.node for n in node.input}
    kept = [i for i in graph.initializer if i.name not in unused]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.value_info[:]
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    onnx.save(rewrite(onnx.load(sys.argv[1])), sys.argv[2])
