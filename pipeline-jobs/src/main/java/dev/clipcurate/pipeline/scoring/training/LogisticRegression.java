package dev.clipcurate.pipeline.scoring.training;

import java.util.List;

/**
 * Class-balanced, L2-regularised logistic regression by full-batch gradient descent on standardised features.
 * Deterministic: no sampling, fixed iteration count, fixed summation order.
 */
final class LogisticRegression {
    private LogisticRegression() {}

    /** Weights and bias on the raw (unstandardised) features. */
    record Fit(float[] weights, float bias) {
        double logit(float[] x) {
            double z = bias;
            for (int i = 0; i < x.length; i++) z += weights[i] * x[i];
            return z;
        }
    }

    static Fit train(List<float[]> positives, List<float[]> negatives, double l2, int iterations, double learningRate) {
        int d = positives.get(0).length;
        double[] mean = new double[d];
        double[] sd = new double[d];
        int n = positives.size() + negatives.size();
        for (List<float[]> set : List.of(positives, negatives)) {
            for (float[] x : set) for (int i = 0; i < d; i++) mean[i] += x[i];
        }
        for (int i = 0; i < d; i++) mean[i] /= n;
        for (List<float[]> set : List.of(positives, negatives)) {
            for (float[] x : set) for (int i = 0; i < d; i++) sd[i] += (x[i] - mean[i]) * (x[i] - mean[i]);
        }
        for (int i = 0; i < d; i++) sd[i] = Math.max(1e-6, Math.sqrt(sd[i] / n));

        double[] w = new double[d];
        double b = 0;
        double[] grad = new double[d];
        double[] z = new double[d];
        // each class weighs half of the loss, however many examples it has
        double posWeight = 0.5 / positives.size();
        double negWeight = 0.5 / negatives.size();
        for (int it = 0; it < iterations; it++) {
            java.util.Arrays.fill(grad, 0);
            double gradB = 0;
            for (int label = 1; label >= 0; label--) {
                List<float[]> set = label == 1 ? positives : negatives;
                double weight = label == 1 ? posWeight : negWeight;
                for (float[] x : set) {
                    double s = b;
                    for (int i = 0; i < d; i++) {
                        z[i] = (x[i] - mean[i]) / sd[i];
                        s += w[i] * z[i];
                    }
                    double err = (1 / (1 + Math.exp(-s)) - label) * weight;
                    for (int i = 0; i < d; i++) grad[i] += err * z[i];
                    gradB += err;
                }
            }
            for (int i = 0; i < d; i++) w[i] -= learningRate * (grad[i] + l2 * w[i]);
            b -= learningRate * gradB;
        }
        // fold the standardisation into the weights: w·(x - m)/s + b = (w/s)·x + (b - Σ w m / s)
        float[] raw = new float[d];
        double rawBias = b;
        for (int i = 0; i < d; i++) {
            raw[i] = (float) (w[i] / sd[i]);
            rawBias -= w[i] * mean[i] / sd[i];
        }
        return new Fit(raw, (float) rawBias);
    }
}
