package dev.clipcurate.pipeline.scoring;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.common.OnnxSessions;
import dev.clipcurate.pipeline.privacy.HeadDetector;
import dev.clipcurate.pipeline.privacy.PrivacyModels;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A scoring model that meets the contract: one float input [N,3,H,W] (RGB, 0..1, H and W fixed by the model),
 * one float output [N,1] or [N] with a score in 0..1 per frame. Its session is shared by the JVM's slots.
 */
public final class ScoringModel implements AutoCloseable {
    private final String sessionKey;
    private final OrtSession session;
    private final String inputName;
    private final int width;
    private final int height;
    private final int maxBatch;
    /** The model's name (metadata {@code name}, else the file name) and the sha256 of its bytes. */
    public final String name;
    public final String sha256;

    private ScoringModel(String sessionKey, OrtSession session, String name, String sha256) throws OrtException {
        this.sessionKey = sessionKey;
        this.session = session;
        this.sha256 = sha256;
        if (session.getNumInputs() != 1 || session.getNumOutputs() < 1) {
            throw contract("it has " + session.getNumInputs() + " inputs and " + session.getNumOutputs() + " outputs");
        }
        Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
        if (!(input.getValue().getInfo() instanceof TensorInfo in) || in.type != OnnxJavaType.FLOAT || in.getShape().length != 4
                || in.getShape()[1] != 3 || in.getShape()[2] <= 0 || in.getShape()[3] <= 0) {
            throw contract("its input " + input.getKey() + " is " + input.getValue().getInfo() + ", not float [N,3,H,W]");
        }
        if (in.getShape()[0] > 1) {
            throw contract("its batch dimension is fixed at " + in.getShape()[0] + "; it must be free (N) or 1");
        }
        this.maxBatch = in.getShape()[0] == 1 ? 1 : Integer.MAX_VALUE;
        this.inputName = input.getKey();
        this.height = (int) in.getShape()[2];
        this.width = (int) in.getShape()[3];
        NodeInfo output = session.getOutputInfo().values().iterator().next();
        if (!(output.getInfo() instanceof TensorInfo out) || out.type != OnnxJavaType.FLOAT
                || !(out.getShape().length == 1 || out.getShape().length == 2 && out.getShape()[1] == 1)) {
            throw contract("its first output " + output.getName() + " is " + output.getInfo() + ", not float [N,1] or [N]");
        }
        String declared = session.getMetadata().getCustomMetadata().get("name");
        this.name = declared != null && !declared.isBlank() ? declared : name;
    }

    private static IllegalArgumentException contract(String what) {
        return new IllegalArgumentException("the scoring model does not meet the model contract (README, Scoring): " + what);
    }

    /** Opens the model of the settings: its file, or the bundled person-window model; null where the detector scores. */
    public static ScoringModel open(ScoringSettings settings) throws IOException, OrtException {
        if (settings.usesDetector()) return null;
        byte[] bytes;
        String name;
        if (settings.modelPath().equals(ScoringSettings.PERSON_WINDOW)) {
            bytes = OnnxSessions.resource(ScoringSettings.PERSON_WINDOW_RESOURCE, "the build packages it from src/main/resources");
            name = "person-window-v1.onnx";
        } else {
            Path path = Path.of(settings.modelPath());
            if (!Files.isRegularFile(path)) {
                throw new IOException("scoring model " + path + " does not exist (option --score-model)");
            }
            bytes = Files.readAllBytes(path);
            name = path.getFileName().toString();
        }
        String sha = Hashing.sha256Hex(bytes);
        String key = "scoring:" + sha + ":" + settings.intraOpThreads() + (settings.cuda() ? ":cuda" : "");
        OrtSession session = OnnxSessions.acquire(key, () -> bytes, settings.intraOpThreads(), settings.cuda());
        try {
            return new ScoringModel(key, session, name, sha);
        } catch (RuntimeException | OrtException e) {
            OnnxSessions.release(key);
            throw e;
        }
    }

    /** A model's name and sha256, as the version file and every clip row record them. */
    public record Identity(String name, String sha256) {}

    /** The default scorer: the person detector the privacy stage runs for heads (MoveNet MultiPose). */
    public static final String DETECTOR_NAME = "persons by " + HeadDetector.NAME;

    /** Opens the model once to check it meets the contract; what a build records before it starts. */
    public static Identity identify(ScoringSettings settings) throws IOException {
        if (settings.usesDetector()) {
            return new Identity(DETECTOR_NAME, PrivacyModels.sha256(HeadDetector.MODEL));
        }
        try (ScoringModel model = open(settings)) {
            return model.identity();
        } catch (OrtException e) {
            throw new IOException("the scoring model cannot be loaded by ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** This model's name and sha256. */
    public Identity identity() {
        return new Identity(name, sha256);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Frames per call: the requested batch size, or 1 for a model whose batch dimension is fixed at 1. */
    public int batchSize(int requested) {
        return Math.min(requested, maxBatch);
    }

    /** A buffer for {@code frames} frames in the input layout ({@link FrameTensor#fill}). */
    public float[] batchBuffer(int frames) {
        return new float[frames * 3 * width * height];
    }

    /** Scores the first {@code frames} frames of the buffer. */
    public float[] score(float[] batch, int frames) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch, 0, frames * 3 * width * height),
                new long[] {frames, 3, height, width});
             OrtSession.Result result = session.run(Map.of(inputName, input))) {
            float[] scores = new float[frames];
            ((OnnxTensor) result.get(0)).getFloatBuffer().get(scores);
            return scores;
        }
    }

    @Override
    public void close() throws OrtException {
        OnnxSessions.release(sessionKey);
    }
}
