package dev.clipcurate.pipeline.scoring.training;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.Map;

/**
 * Builds a small float ONNX graph. Written as IR version 8 with opset 17: ONNX Runtime 1.24 (Java) reads those,
 * and newer writers default to IR versions it refuses.
 */
final class OnnxGraph {
    static final long IR_VERSION = 8;
    static final long OPSET = 17;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int nodes;

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A float tensor input or output; a dimension below 0 is the symbolic batch dimension N. */
    OnnxGraph input(String name, long... dims) {
        graph.addInput(valueInfo(name, dims));
        return this;
    }

    OnnxGraph output(String name, long... dims) {
        graph.addOutput(valueInfo(name, dims));
        return this;
    }

    OnnxGraph constant(String name, long[] dims, float[] values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
        for (long d : dims) t.addDims(d);
        for (float v : values) t.addFloatData(v);
        graph.addInitializer(t);
        return this;
    }

    /** Adds a node; attributes are name/value pairs (long[] → ints, Long → int, Float → float). */
    OnnxGraph node(String op, String[] inputs, String output, Object... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + nodes++).addOutput(output);
        for (String in : inputs) n.addInput(in);
        for (int i = 0; i < attributes.length; i += 2) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName((String) attributes[i]);
            Object v = attributes[i + 1];
            if (v instanceof long[] ints) {
                a.setType(AttributeProto.AttributeType.INTS);
                for (long x : ints) a.addInts(x);
            } else if (v instanceof Long x) {
                a.setType(AttributeProto.AttributeType.INT).setI(x);
            } else if (v instanceof Float x) {
                a.setType(AttributeProto.AttributeType.FLOAT).setF(x);
            } else {
                throw new IllegalArgumentException("attribute type " + v.getClass());
            }
            n.addAttribute(a);
        }
        graph.addNode(n);
        return this;
    }

    ModelProto model(Map<String, String> metadata) {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("clip-curation")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    private static ValueInfoProto valueInfo(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
    }
}
