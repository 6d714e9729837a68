package dev.clipcurate.pipeline.privacy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * One ONNX Runtime session per model per JVM, shared by every slot of a TaskManager and reference-counted:
 * {@code OrtSession.run} is thread-safe, and one session with one intra-op thread per caller keeps
 * slots × threads within the cores.
 */
public final class OnnxSessions {
    private static final Map<String, Shared> SESSIONS = new HashMap<>();

    private record Shared(OrtSession session, int[] users) {}

    private OnnxSessions() {}

    /** Opens (or shares) the session of a model shipped under {@code /models/} on the classpath. */
    public static synchronized OrtSession acquire(String modelResource) throws OrtException, IOException {
        Shared shared = SESSIONS.get(modelResource);
        if (shared == null) {
            byte[] model;
            try (InputStream in = OnnxSessions.class.getResourceAsStream("/models/" + modelResource)) {
                if (in == null) {
                    throw new IOException("model " + modelResource + " is not on the classpath: run scripts/fetch-models "
                            + "(the Maven build does) and rebuild");
                }
                model = in.readAllBytes();
            }
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // the first call creates the JVM's environment: warnings about unused initialisers in the models are noise
            OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "clip-curation");
            shared = new Shared(env.createSession(model, options), new int[] {0});
            SESSIONS.put(modelResource, shared);
        }
        shared.users()[0]++;
        return shared.session();
    }

    public static synchronized void release(String modelResource) throws OrtException {
        Shared shared = SESSIONS.get(modelResource);
        if (shared == null) return;
        if (--shared.users()[0] == 0) {
            SESSIONS.remove(modelResource);
            shared.session().close();
        }
    }
}
