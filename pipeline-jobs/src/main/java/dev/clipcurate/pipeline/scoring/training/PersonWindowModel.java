package dev.clipcurate.pipeline.scoring.training;

import ai.onnx.proto.OnnxMl.ModelProto;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The default scoring model's graph: a sliding-window person classifier in the manner of HOG, small enough to
 * train here and to read in one screen.
 *
 * <pre>
 * frames [N,3,240,320] RGB 0..1 → grey → 4 oriented gradients (fixed 3x3 kernels) → |·| → 4x4 px cells
 *   → divided by the local gradient energy (3x3 cells) = cells [N,4,60,80]
 *   → learned 12x6-cell window (48x24 px), and the same window over 2x2-pooled cells (96x48 px)
 *   → max over positions and both scales → sigmoid → person [N,1]
 * </pre>
 *
 * The training program runs the first half ({@link #features()}) in ONNX Runtime, so the features it learns
 * from are exactly those the served model computes.
 */
public final class PersonWindowModel {
    public static final int WIDTH = 320;
    public static final int HEIGHT = 240;
    public static final int CELL = 4;
    public static final int CHANNELS = 4;
    public static final int CELLS_H = HEIGHT / CELL;
    public static final int CELLS_W = WIDTH / CELL;
    public static final int WINDOW_H = 12;
    public static final int WINDOW_W = 6;
    public static final int FEATURES = CHANNELS * WINDOW_H * WINDOW_W;
    static final float ENERGY_FLOOR = 0.05f;

    private static final float[] GREY = {0.299f, 0.587f, 0.114f};
    private static final float[] GRADIENTS = {
            -1, 0, 1, -2, 0, 2, -1, 0, 1,    // horizontal change (Sobel x)
            -1, -2, -1, 0, 0, 0, 1, 2, 1,    // vertical change (Sobel y)
            0, 1, 2, -1, 0, 1, -2, -1, 0,    // rising diagonal
            -2, -1, 0, -1, 0, 1, 0, 1, 2};   // falling diagonal

    private PersonWindowModel() {}

    /** frames → normalised cells, the input of the learned window. */
    public static ModelProto features() {
        OnnxGraph g = new OnnxGraph("person-window-features");
        addFeatures(g);
        g.output("cells", -1, CHANNELS, CELLS_H, CELLS_W);
        return g.model(Map.of());
    }

    /** The full model with a learned window: weights in [channel][row][col] order, as a Conv kernel. */
    public static ModelProto scoring(float[] window, float bias, Map<String, String> metadata) {
        if (window.length != FEATURES) throw new IllegalArgumentException("window needs " + FEATURES + " weights");
        OnnxGraph g = new OnnxGraph("person-window");
        addFeatures(g);
        g.constant("window", new long[] {1, CHANNELS, WINDOW_H, WINDOW_W}, window)
                .constant("window_bias", new long[] {1}, new float[] {bias})
                .node("Conv", new String[] {"cells", "window", "window_bias"}, "logit_small")
                .node("AveragePool", new String[] {"cells"}, "cells_coarse", "kernel_shape", new long[] {2, 2},
                        "strides", new long[] {2, 2})
                .node("Conv", new String[] {"cells_coarse", "window", "window_bias"}, "logit_large")
                .node("GlobalMaxPool", new String[] {"logit_small"}, "best_small")
                .node("GlobalMaxPool", new String[] {"logit_large"}, "best_large")
                .node("Max", new String[] {"best_small", "best_large"}, "best")
                .node("Sigmoid", new String[] {"best"}, "probability")
                .node("Flatten", new String[] {"probability"}, "person", "axis", 1L)
                .output("person", -1, 1);
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        return g.model(meta);
    }

    private static void addFeatures(OnnxGraph g) {
        g.input("frames", -1, 3, HEIGHT, WIDTH)
                .constant("grey_weights", new long[] {1, 3, 1, 1}, GREY)
                .constant("gradient_kernels", new long[] {CHANNELS, 1, 3, 3}, GRADIENTS)
                .constant("channel_sum", new long[] {1, CHANNELS, 1, 1}, new float[] {1, 1, 1, 1})
                .constant("energy_floor", new long[] {1}, new float[] {ENERGY_FLOOR})
                .node("Conv", new String[] {"frames", "grey_weights"}, "grey")
                .node("Conv", new String[] {"grey", "gradient_kernels"}, "gradients", "pads", new long[] {1, 1, 1, 1})
                .node("Abs", new String[] {"gradients"}, "gradient_magnitudes")
                .node("AveragePool", new String[] {"gradient_magnitudes"}, "raw_cells",
                        "kernel_shape", new long[] {CELL, CELL}, "strides", new long[] {CELL, CELL})
                .node("Conv", new String[] {"raw_cells", "channel_sum"}, "cell_energy")
                .node("AveragePool", new String[] {"cell_energy"}, "local_energy", "kernel_shape", new long[] {3, 3},
                        "strides", new long[] {1, 1}, "pads", new long[] {1, 1, 1, 1}, "count_include_pad", 0L)
                .node("Add", new String[] {"local_energy", "energy_floor"}, "energy")
                .node("Div", new String[] {"raw_cells", "energy"}, "cells");
    }
}
