"""Read a TF.js graph-model (model.json + .bin shards) into plain Python: nodes + numpy weights."""
import base64
import json
import os

import numpy as np

_DT = {"float32": np.float32, "int32": np.int32, "bool": np.bool_, "float16": np.float16,
       "uint8": np.uint8, "int8": np.int8, "uint16": np.uint16, "int16": np.int16}


def load(json_path):
    """Returns (model_json_dict, nodes, weights{name: np.ndarray})."""
    with open(json_path) as f:
        m = json.load(f)
    base = os.path.dirname(json_path)
    weights = {}
    for group in m["weightsManifest"]:
        buf = b"".join(open(os.path.join(base, p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            shape = [int(s) for s in w["shape"]]
            count = int(np.prod(shape)) if shape else 1
            q = w.get("quantization")
            if q and q["dtype"] == "float16":
                arr = np.frombuffer(buf, np.float16, count, off).astype(np.float32)
                off += 2 * count
            elif q:  # uint8/uint16 affine quantisation
                qdt = _DT[q["dtype"]]
                raw = np.frombuffer(buf, qdt, count, off)
                off += raw.nbytes
                arr = (raw.astype(np.float32) * q["scale"] + q["min"]).astype(_DT[w["dtype"]])
            else:
                dt = _DT[w["dtype"]]
                arr = np.frombuffer(buf, dt, count, off).copy()
                off += arr.nbytes
            weights[w["name"]] = arr.reshape(shape)
    return m, m["modelTopology"]["node"], weights


def attr_s(node, key, default=None):
    a = node.get("attr", {}).get(key)
    return base64.b64decode(a["s"]).decode() if a and "s" in a else default


def attr_i(node, key, default=0):
    a = node.get("attr", {}).get(key)
    return int(a["i"]) if a and "i" in a else default


def attr_f(node, key, default=0.0):
    a = node.get("attr", {}).get(key)
    return float(a["f"]) if a and "f" in a else default


def attr_b(node, key, default=False):
    a = node.get("attr", {}).get(key)
    return bool(a["b"]) if a and "b" in a else default


def attr_ints(node, key):
    a = node.get("attr", {}).get(key)
    return [int(x) for x in a["list"].get("i", [])] if a else []


def attr_strs(node, key):
    a = node.get("attr", {}).get(key)
    return [base64.b64decode(x).decode() for x in a["list"].get("s", [])] if a else []
