"""Convert a TF.js graph model (model.json + .bin) to ONNX, op by op, with onnx.helper.

Usage: python tfjs_to_onnx.py model.json out.onnx [--static H W | --dynamic-hw] [--free-dim N]

Written for MoveNet MultiPose Lightning and MediaPipe's full-range face detector (TF.js graph models); covers the
ops those graphs use. --dynamic-hw: the input's height and width become symbolic. --free-dim N: a Reshape target dimension that is the constant N (the anchor count of a
192x192 input, say) becomes -1, so that the graph runs at other input sizes too.
Semantics kept as in TF: int32 stays int32 (cast to int64 only where ONNX demands it).
Layout: TF is NHWC; convolutions run in NCHW. Tensors produced by layout-aware ops (conv, relu,
sigmoid, add of two such tensors, resize, maxpool) stay NCHW; a Transpose back to NHWC is inserted
lazily, once, when another op consumes them.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import tfjs_graph as tg

OPSET = 18
TF2ONNX_DT = {"DT_FLOAT": TensorProto.FLOAT, "DT_INT32": TensorProto.INT32, "DT_BOOL": TensorProto.BOOL,
              "DT_INT64": TensorProto.INT64}
BINARY = {"AddV2": "Add", "Add": "Add", "Sub": "Sub", "Mul": "Mul", "RealDiv": "Div", "Maximum": "Max",
          "Minimum": "Min", "Less": "Less", "Greater": "Greater", "GreaterEqual": "GreaterOrEqual",
          "LessEqual": "LessOrEqual", "Equal": "Equal", "LogicalAnd": "And", "LogicalOr": "Or"}
UNARY = {"Sigmoid": "Sigmoid", "Exp": "Exp", "Abs": "Abs", "Reciprocal": "Reciprocal", "Relu": "Relu",
         "Identity": "Identity", "Neg": "Neg", "Sqrt": "Sqrt", "Tanh": "Tanh"}
LAYOUT_UNARY = {"Relu", "Relu6", "Sigmoid"}
INT_MAX = np.iinfo(np.int64).max


class Converter:
    def __init__(self, json_path, static_hw=None, free_dim=None):
        self.m, self.nodes, self.weights = tg.load(json_path)
        self.static_hw = static_hw
        self.free_dim = free_dim
        self.resize_inputs = set()
        self.declared_hw = {}
        self.graph_name = "movenet" if "movenet" in json_path else "tfjs"  # kept: MoveNet's pinned sha256 covers it
        self.onnx_nodes, self.inits = [], []
        self.nchw = set()           # ONNX tensor names that hold NCHW data of a TF NHWC tensor
        self.nhwc_cache = {}        # NCHW name -> transposed NHWC name
        self.consts = {}            # TF tensor name -> numpy value (for attrs that ONNX wants static)
        self.uid = 0

    # -- helpers -----------------------------------------------------------------------------------
    def fresh(self, base):
        self.uid += 1
        return f"{base}__{self.uid}"

    def add(self, op, inputs, outputs=None, name=None, **attrs):
        outputs = outputs or [self.fresh(op)]
        self.onnx_nodes.append(helper.make_node(op, inputs, outputs, name=name or self.fresh("n_" + op), **attrs))
        return outputs[0] if len(outputs) == 1 else outputs

    def const(self, value, base="c"):
        name = self.fresh(base)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def i64(self, t):
        return self.add("Cast", [t], to=TensorProto.INT64)

    @staticmethod
    def tname(tf_in):
        """TF input 'node:k' -> ONNX tensor name."""
        if tf_in.startswith("^"):
            return None
        node, _, idx = tf_in.partition(":")
        return node if idx in ("", "0") else f"{node}:{idx}"

    def nhwc(self, t):
        if t not in self.nchw:
            return t
        if t not in self.nhwc_cache:
            self.nhwc_cache[t] = self.add("Transpose", [t], [t + "__nhwc"], perm=[0, 2, 3, 1])
        return self.nhwc_cache[t]

    def inp(self, n, i, layout_ok=False):
        t = self.tname(n["input"][i])
        return t if layout_ok else self.nhwc(t)

    def cval(self, n, i):
        t = self.tname(n["input"][i])
        if t not in self.consts:
            raise ValueError(f"{n['name']}: input {i} ({t}) must be constant")
        return self.consts[t]

    # -- conversion ---------------------------------------------------------------------------------
    def convert(self):
        for n in self.nodes:
            fn = getattr(self, "op_" + n["op"].lstrip("_"), None)
            if n["op"] in BINARY:
                self.binary(n, BINARY[n["op"]])
            elif n["op"] in UNARY and fn is None:
                self.unary(n, UNARY[n["op"]])
            elif fn is None:
                raise NotImplementedError(f"op {n['op']} ({n['name']})")
            else:
                fn(n)
        sig = self.m.get("signature", {}).get("outputs", {})
        g_outs = []
        for v in sig.values():  # batch and detection count kept from the signature, others symbolic
            dims = [int(d["size"]) for d in v["tensorShape"]["dim"]]
            dims = [d if k == 0 or k == len(dims) - 1 else f"out_d{k}" for k, d in enumerate(dims)]
            g_outs.append(helper.make_tensor_value_info(self.nhwc(self.tname(v["name"])),
                                                        TF2ONNX_DT[v["dtype"]], dims))
        used = {i for nd in self.onnx_nodes for i in nd.input}  # drop HWIO originals of conv weights etc.
        inits = [t for t in self.inits if t.name in used]
        graph = helper.make_graph(self.onnx_nodes, self.graph_name, self.graph_inputs, g_outs, inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="tfjs_to_onnx.py")
        model.ir_version = 8
        return model

    def op_Placeholder(self, n):
        dims = [int(d["size"]) for d in n["attr"]["shape"]["shape"]["dim"]]
        names = ["N", "H", "W", "C"]
        if self.static_hw == "dynamic":
            dims[1], dims[2] = -1, -1
        elif self.static_hw:
            dims[1], dims[2] = self.static_hw
        shape = [d if d >= 0 else names[i] for i, d in enumerate(dims)]
        self.graph_inputs = [helper.make_tensor_value_info(n["name"], TF2ONNX_DT[n["attr"]["dtype"]["type"]], shape)]

    def op_Const(self, n):
        v = self.weights[n["name"]]
        self.consts[n["name"]] = v
        self.inits.append(numpy_helper.from_array(v, n["name"]))

    def unary(self, n, op):
        layout = n["op"] in LAYOUT_UNARY
        x = self.inp(n, 0, layout_ok=layout)
        self.add(op, [x], [n["name"]])
        if layout and x in self.nchw:
            self.nchw.add(n["name"])

    def op_Relu6(self, n):
        x = self.inp(n, 0, layout_ok=True)
        self.add("Clip", [x, self.const(np.float32(0)), self.const(np.float32(6))], [n["name"]])
        if x in self.nchw:
            self.nchw.add(n["name"])

    def binary(self, n, op):
        a, b = self.tname(n["input"][0]), self.tname(n["input"][1])
        if a in self.nchw and b in self.nchw:
            self.add(op, [a, b], [n["name"]])
            self.nchw.add(n["name"])
        else:
            self.add(op, [self.nhwc(a), self.nhwc(b)], [n["name"]])

    def op_SquaredDifference(self, n):
        d = self.add("Sub", [self.inp(n, 0), self.inp(n, 1)])
        self.add("Mul", [d, d], [n["name"]])

    def op_FloorDiv(self, n):
        a, b = self.inp(n, 0), self.inp(n, 1)
        dt = n["attr"]["T"]["type"]
        if dt == "DT_FLOAT":
            self.add("Floor", [self.add("Div", [a, b])], [n["name"]])
        else:  # integer floor division via double (exact for int32)
            q = self.add("Div", [self.add("Cast", [a], to=TensorProto.DOUBLE), self.add("Cast", [b], to=TensorProto.DOUBLE)])
            self.add("Cast", [self.add("Floor", [q])], [n["name"]], to=TF2ONNX_DT[dt])

    def op_AddN(self, n):
        self.add("Sum", [self.inp(n, i) for i in range(len(n["input"]))], [n["name"]])

    def op_Cast(self, n):
        self.add("Cast", [self.inp(n, 0)], [n["name"]], to=TF2ONNX_DT[n["attr"]["DstT"]["type"]])

    def op_Select(self, n):  # operands have equal shapes in this graph (TF Select v1 row-select not needed)
        self.add("Where", [self.inp(n, 0), self.inp(n, 1), self.inp(n, 2)], [n["name"]])

    # conv family: TF NHWC/HWIO -> ONNX NCHW/OIHW
    def conv(self, n, depthwise, fused):
        x = self.inp(n, 0, layout_ok=True)
        if x not in self.nchw:
            x = self.add("Transpose", [x], perm=[0, 3, 1, 2])
        w = self.cval(n, 1)
        if depthwise:  # [kh, kw, cin, mult] -> [cin*mult, 1, kh, kw]
            kh, kw, cin, mult = w.shape
            w_onnx = w.reshape(kh, kw, cin * mult).transpose(2, 0, 1)[:, None]
            group = cin
        else:
            w_onnx = w.transpose(3, 2, 0, 1)
            group = 1
        assert tg.attr_s(n, "data_format", "NHWC") == "NHWC"
        strides = tg.attr_ints(n, "strides")[1:3]
        dil = tg.attr_ints(n, "dilations")[1:3] or [1, 1]
        pad = tg.attr_s(n, "padding")
        ins = [x, self.const(np.ascontiguousarray(w_onnx, np.float32), "w")]
        ops = tg.attr_strs(n, "fused_ops") if fused else []
        if ops:
            assert ops[0] == "BiasAdd", ops
            ins.append(self.tname(n["input"][2]))
        kwargs = dict(strides=strides, dilations=dil, group=group, kernel_shape=list(w.shape[:2]))
        if pad == "SAME":
            kwargs["auto_pad"] = "SAME_UPPER"
        elif pad == "VALID":
            kwargs["pads"] = [0, 0, 0, 0]
        else:
            raise NotImplementedError(pad)
        act = ops[1] if len(ops) > 1 else None
        y = self.add("Conv", ins, None if act else [n["name"]], **kwargs)
        if act == "Relu":
            self.add("Relu", [y], [n["name"]])
        elif act == "Relu6":
            self.add("Clip", [y, self.const(np.float32(0)), self.const(np.float32(6))], [n["name"]])
        elif act:
            raise NotImplementedError(act)
        assert len(ops) <= 2
        self.nchw.add(n["name"])

    def op_FusedConv2D(self, n):
        self.conv(n, False, True)

    def op_Conv2D(self, n):
        self.conv(n, False, False)

    def op_FusedDepthwiseConv2dNative(self, n):
        self.conv(n, True, True)

    def op_DepthwiseConv2dNative(self, n):
        self.conv(n, True, False)

    def op_Pad(self, n):  # zero padding of H and W, kept in the NCHW layout
        x = self.inp(n, 0, layout_ok=True)
        p = np.array(self.cval(n, 1), np.int64)  # [[before, after]] per NHWC axis
        if x in self.nchw:
            p = p[[0, 3, 1, 2]]
        self.add("Pad", [x, self.const(np.concatenate([p[:, 0], p[:, 1]]).astype(np.int64))], [n["name"]])
        if x in self.nchw:
            self.nchw.add(n["name"])

    def op_DepthToSpace(self, n):  # TF's NHWC depth_to_space is ONNX's DCR mode on NCHW
        x = self.inp(n, 0, layout_ok=True)
        if x not in self.nchw:
            x = self.add("Transpose", [x], perm=[0, 3, 1, 2])
        self.add("DepthToSpace", [x], [n["name"]], blocksize=tg.attr_i(n, "block_size"), mode="DCR")
        self.nchw.add(n["name"])

    def op_MaxPool(self, n):
        x = self.inp(n, 0, layout_ok=True)
        if x not in self.nchw:
            x = self.add("Transpose", [x], perm=[0, 3, 1, 2])
        k, s = tg.attr_ints(n, "ksize")[1:3], tg.attr_ints(n, "strides")[1:3]
        pad = {"SAME": dict(auto_pad="SAME_UPPER"), "VALID": dict(pads=[0, 0, 0, 0])}[tg.attr_s(n, "padding")]
        self.add("MaxPool", [x], [n["name"]], kernel_shape=k, strides=s, **pad)
        self.nchw.add(n["name"])

    def op_ResizeBilinear(self, n):
        x = self.inp(n, 0, layout_ok=True)
        if x not in self.nchw:
            x = self.add("Transpose", [x], perm=[0, 3, 1, 2])
        self.resize_inputs.add(n["name"])
        nc = self.add("Slice", [self.add("Shape", [x]), self.const(np.array([0])), self.const(np.array([2]))])
        size_in = self.tname(n["input"][1])
        if self.static_hw == "dynamic" and size_in in self.consts:
            # a size fixed for the declared input (Keras UpSampling2D) becomes the scale it was at that input
            hw = self.declared_hw[n["name"]]
            factors = np.array(self.consts[size_in], np.float32) / np.array(hw, np.float32)
            scales = self.const(np.concatenate([[1, 1], factors]).astype(np.float32))
            mode = "half_pixel" if tg.attr_b(n, "half_pixel_centers") else "asymmetric"
            self.add("Resize", [x, "", scales], [n["name"]], mode="linear", coordinate_transformation_mode=mode)
            self.nchw.add(n["name"])
            return
        sizes = self.add("Concat", [nc, self.i64(self.inp(n, 1))], axis=0)
        if tg.attr_b(n, "align_corners"):
            mode = "align_corners"
        elif tg.attr_b(n, "half_pixel_centers"):
            mode = "half_pixel"
        else:
            mode = "asymmetric"
        self.add("Resize", [x, "", "", sizes], [n["name"]], mode="linear", coordinate_transformation_mode=mode)
        self.nchw.add(n["name"])

    # shape ops (TF int32 semantics)
    def op_Shape(self, n):
        x = self.inp(n, 0, layout_ok=True)
        s = self.add("Shape", [x])
        if x in self.nchw:
            s = self.add("Gather", [s, self.const(np.array([0, 2, 3, 1]))], axis=0)
        self.add("Cast", [s], [n["name"]], to=TF2ONNX_DT[n["attr"].get("out_type", {"type": "DT_INT32"})["type"]])

    def op_Size(self, n):
        self.add("Cast", [self.add("Size", [self.inp(n, 0)])], [n["name"]],
                 to=TF2ONNX_DT[n["attr"].get("out_type", {"type": "DT_INT32"})["type"]])

    def op_Reshape(self, n):
        self.add("Reshape", [self.inp(n, 0), self.i64(self.inp(n, 1))], [n["name"]])

    def op_Squeeze(self, n):
        axes = tg.attr_ints(n, "squeeze_dims")
        ins = [self.inp(n, 0)] + ([self.const(np.array(axes, np.int64))] if axes else [])
        self.add("Squeeze", ins, [n["name"]])

    def op_ExpandDims(self, n):
        axis = np.array(self.cval(n, 1), np.int64).reshape(1)
        self.add("Unsqueeze", [self.inp(n, 0), self.const(axis)], [n["name"]])

    def op_Pack(self, n):
        axis = tg.attr_i(n, "axis")
        ax = self.const(np.array([axis], np.int64))
        parts = []
        for i in range(len(n["input"])):
            t = self.tname(n["input"][i])
            if self.free_dim is not None and t in self.consts and self.consts[t].shape == () \
                    and int(self.consts[t]) == self.free_dim:
                parts.append(self.const(np.array([-1], self.consts[t].dtype)))  # see --free-dim
            else:
                parts.append(self.add("Unsqueeze", [self.inp(n, i), ax]))
        self.add("Concat", parts, [n["name"]], axis=axis)

    def op_Unpack(self, n):
        num, axis = tg.attr_i(n, "num"), tg.attr_i(n, "axis")
        parts = self.add("Split", [self.inp(n, 0)], [self.fresh("unpack") for _ in range(num)], axis=axis, num_outputs=num)
        parts = parts if isinstance(parts, list) else [parts]
        ax = self.const(np.array([axis], np.int64))
        for k, p in enumerate(parts):
            self.add("Squeeze", [p, ax], [n["name"] if k == 0 else f"{n['name']}:{k}"])

    def op_Split(self, n):
        axis, num = int(self.cval(n, 0)), tg.attr_i(n, "num_split")
        outs = [n["name"]] + [f"{n['name']}:{k}" for k in range(1, num)]
        self.add("Split", [self.inp(n, 1)], outs, axis=axis, num_outputs=num)

    def op_ConcatV2(self, n):
        k = len(n["input"]) - 1
        self.add("Concat", [self.inp(n, i) for i in range(k)], [n["name"]], axis=int(self.cval(n, k)))

    def op_Tile(self, n):
        self.add("Tile", [self.inp(n, 0), self.i64(self.inp(n, 1))], [n["name"]])

    def op_Fill(self, n):
        self.add("Expand", [self.inp(n, 1), self.i64(self.inp(n, 0))], [n["name"]])

    def op_Range(self, n):
        self.add("Range", [self.inp(n, 0), self.inp(n, 1), self.inp(n, 2)], [n["name"]])

    def op_GatherNd(self, n):
        self.add("GatherND", [self.inp(n, 0), self.i64(self.inp(n, 1))], [n["name"]])

    def op_ArgMax(self, n):
        axis = int(self.cval(n, 1))
        a = self.add("ArgMax", [self.inp(n, 0)], axis=axis, keepdims=0, select_last_index=0)
        self.add("Cast", [a], [n["name"]], to=TF2ONNX_DT[n["attr"].get("output_type", {"type": "DT_INT64"})["type"]])

    def op_TopKV2(self, n):
        k = self.add("Reshape", [self.i64(self.inp(n, 1)), self.const(np.array([1], np.int64))])
        v, i = self.add("TopK", [self.inp(n, 0), k], [n["name"], self.fresh("topk_idx")], axis=-1, largest=1,
                        sorted=1)
        self.add("Cast", [i], [f"{n['name']}:1"], to=TensorProto.INT32)

    def reduce(self, n, op):
        axes = np.array(self.cval(n, 1), np.int64).reshape(-1)
        self.add(op, [self.inp(n, 0), self.const(axes)], [n["name"]], keepdims=int(tg.attr_b(n, "keep_dims")))

    def op_Max(self, n):
        self.reduce(n, "ReduceMax")

    def op_Sum(self, n):
        self.reduce(n, "ReduceSum")

    def op_Mean(self, n):
        self.reduce(n, "ReduceMean")

    def op_StridedSlice(self, n):
        begin, end, strides = (np.array(self.cval(n, i), np.int64).reshape(-1) for i in (1, 2, 3))
        bm, em = tg.attr_i(n, "begin_mask"), tg.attr_i(n, "end_mask")
        shrink, newax, ell = tg.attr_i(n, "shrink_axis_mask"), tg.attr_i(n, "new_axis_mask"), tg.attr_i(n, "ellipsis_mask")
        if ell:
            raise NotImplementedError("StridedSlice ellipsis_mask")
        starts, ends, axes, steps, squeeze, unsq = [], [], [], [], [], []
        in_dim, out_dim = 0, 0
        for i in range(len(begin)):
            bit = 1 << i
            if newax & bit:
                unsq.append(out_dim)
                out_dim += 1
                continue
            st = int(strides[i])
            if shrink & bit:
                b = int(begin[i])
                starts.append(b), ends.append(b + 1 if b != -1 else INT_MAX), steps.append(1), axes.append(in_dim)
                squeeze.append(in_dim)
            else:
                b = (0 if st > 0 else -1) if bm & bit else int(begin[i])
                e = (INT_MAX if st > 0 else -INT_MAX) if em & bit else int(end[i])
                if not (bm & bit and em & bit and st == 1):
                    starts.append(b), ends.append(e), steps.append(st), axes.append(in_dim)
                out_dim += 1
            in_dim += 1
        y = self.inp(n, 0)
        if axes:
            y = self.add("Slice", [y] + [self.const(np.array(v, np.int64)) for v in (starts, ends, axes, steps)])
        if squeeze:
            y = self.add("Squeeze", [y, self.const(np.array(squeeze, np.int64))])
        if unsq:
            y = self.add("Unsqueeze", [y, self.const(np.array(unsq, np.int64))])
        self.add("Identity", [y], [n["name"]])


def declared_resize_inputs(src):
    """Height and width of each ResizeBilinear's input when the graph runs at its declared input size."""
    converter = Converter(src)
    model = onnx.shape_inference.infer_shapes(converter.convert())
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in model.graph.value_info}
    out = {}
    for node in model.graph.node:
        if node.op_type == "Resize" and node.output[0] in converter.resize_inputs:
            out[node.output[0]] = shapes[node.input[0]][2:4]  # NCHW
    return out


def main():
    args = sys.argv[1:]
    static = None
    if "--static" in args:
        i = args.index("--static")
        static = (int(args[i + 1]), int(args[i + 2]))
        del args[i:i + 3]
    if "--dynamic-hw" in args:
        args.remove("--dynamic-hw")
        static = "dynamic"
    free_dim = None
    if "--free-dim" in args:
        i = args.index("--free-dim")
        free_dim = int(args[i + 1])
        del args[i:i + 2]
    src, dst = args
    converter = Converter(src, static, free_dim)
    if static == "dynamic":
        converter.declared_hw = declared_resize_inputs(src)
    model = converter.convert()
    onnx.checker.check_model(model)
    model = onnx.shape_inference.infer_shapes(model)
    onnx.save(model, dst)
    ops = sorted({nd.op_type for nd in model.graph.node})
    print(f"wrote {dst}: {len(model.graph.node)} nodes, ops={ops}")


if __name__ == "__main__":
    main()
