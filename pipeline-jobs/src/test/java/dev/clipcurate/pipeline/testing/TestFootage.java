package dev.clipcurate.pipeline.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Real footage fetched by the build (scripts/fetch-samples: Debian opencv-doc sample videos). */
public final class TestFootage {
    private TestFootage() {}

    public static Path sample(String name) {
        String dir = System.getProperty("curate.samples.dir", ".cache/samples");
        Path p = Paths.get(dir).resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing test footage " + p + ": run scripts/fetch-samples (mvn verify does)");
        }
        return p;
    }

    /** vtest.avi: fixed street camera with pedestrians, 768x576, 10 fps, 79.5 s. */
    public static Path streetCamera() {
        return sample("vtest.avi");
    }

    /** Megamind.avi: 720x528 mpeg4, about 11 s. */
    public static Path megamind() {
        return sample("Megamind.avi");
    }
}
