package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.common.Hashing;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** The models the privacy stage runs, with the sha256 of each, as a version file records them. */
public final class PrivacyModels {
    private PrivacyModels() {}

    public static Map<String, String> hashes() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(BlazeFaceDetector.MODEL, sha256(BlazeFaceDetector.MODEL));
        m.put(BlazeFaceDetector.FRONT_MODEL, sha256(BlazeFaceDetector.FRONT_MODEL));
        m.put(HeadDetector.MODEL, sha256(HeadDetector.MODEL));
        m.put(FullRangeFaceDetector.MODEL, sha256(FullRangeFaceDetector.MODEL));
        return m;
    }

    /** The sha256 of one bundled model file (under /models/ on the classpath). */
    public static String sha256(String model) throws IOException {
        String resource = "/models/" + model;
        try (InputStream in = PrivacyModels.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("model " + resource + " is not on the classpath");
            return Hashing.sha256Hex(in);
        }
    }
}
