package dev.clipcurate.pipeline.common;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * One ONNX Runtime session per model per JVM, shared by every slot of a TaskManager and reference-counted:
 * {@code OrtSession.run} is thread-safe, and one session with a fixed number of intra-op threads keeps
 * slots × threads within the cores.
 */
public final class OnnxSessions {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);
    private static final Map<String, Shared> SESSIONS = new HashMap<>();

    private record Shared(OrtSession session, int[] users) {}

    /** Where a model's bytes come from; called once per JVM. */
    public interface ModelBytes {
        byte[] read() throws IOException;
    }

    private OnnxSessions() {}

    /** Opens (or shares) the session of a model shipped under {@code /models/} on the classpath, one thread per call. */
    public static OrtSession acquire(String modelResource) throws OrtException, IOException {
        return acquire(modelResource, () -> resource("/models/" + modelResource,
                "run scripts/fetch-models (the Maven build does) and rebuild"), 1, false);
    }

    /**
     * Opens (or shares) a session under {@code key}.
     *
     * @param intraOpThreads threads of the session's intra-op pool, shared by concurrent calls (each calling thread
     *                       works in it too: at most callers + threads - 1 threads run at once)
     * @param cuda           use the CUDA execution provider when this ONNX Runtime build has it; else CPU, with a warning
     */
    public static synchronized OrtSession acquire(String key, ModelBytes model, int intraOpThreads, boolean cuda)
            throws OrtException, IOException {
        Shared shared = SESSIONS.get(key);
        if (shared == null) {
            // the session keeps its own copy of the options
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(intraOpThreads);
                options.setInterOpNumThreads(1);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                if (cuda) {
                    try {
                        options.addCUDA(0);
                    } catch (OrtException | UnsatisfiedLinkError e) {
                        LOG.warn("CUDA was asked for but this ONNX Runtime cannot use it ({}); {} runs on the CPU. Put the "
                                + "onnxruntime_gpu jar on the classpath instead of onnxruntime for CUDA.", e.getMessage(), key);
                    }
                }
                // the first call creates the JVM's environment: warnings about unused initialisers in the models are noise
                OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "clip-curation");
                shared = new Shared(env.createSession(model.read(), options), new int[] {0});
                SESSIONS.put(key, shared);
            }
        }
        shared.users()[0]++;
        return shared.session();
    }

    public static synchronized void release(String key) throws OrtException {
        Shared shared = SESSIONS.get(key);
        if (shared == null) return;
        if (--shared.users()[0] == 0) {
            SESSIONS.remove(key);
            shared.session().close();
        }
    }

    /** The bytes of a classpath resource, or an error that says what to do. */
    public static byte[] resource(String path, String remedy) throws IOException {
        try (InputStream in = OnnxSessions.class.getResourceAsStream(path)) {
            if (in == null) throw new IOException("model " + path + " is not on the classpath: " + remedy);
            return in.readAllBytes();
        }
    }
}
