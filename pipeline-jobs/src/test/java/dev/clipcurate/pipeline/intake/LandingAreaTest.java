package dev.clipcurate.pipeline.intake;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LandingAreaTest {
    @TempDir Path tmp;

    @Test
    void resolvesPathsInsideTheRoot() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("landing"));
        Path clip = Files.writeString(Files.createDirectories(root.resolve("2026")).resolve("a.mp4"), "x");
        LandingArea landing = new LandingArea(root.toString());
        assertEquals(clip.toUri().getPath(), landing.resolve("2026/a.mp4").toUri().getPath());
        assertEquals(clip.toUri().getPath(), landing.resolve(clip.toUri().toString()).toUri().getPath());
        assertEquals(clip.toUri().getPath(), landing.resolve(clip.toString()).toUri().getPath());
    }

    @Test
    void refusesEscapes() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("landing"));
        Path secret = Files.writeString(tmp.resolve("secret.mp4"), "x");
        Files.createDirectories(tmp.resolve("landing-other"));
        Files.createSymbolicLink(root.resolve("link.mp4"), secret);
        Files.createSymbolicLink(root.resolve("dirlink"), tmp);
        LandingArea landing = new LandingArea(root.toString());
        for (String uri : new String[] {"../secret.mp4", "a/../../secret.mp4", secret.toString(), secret.toUri().toString(),
                "/etc/passwd", "file:///etc/passwd", "link.mp4", "dirlink/secret.mp4",
                tmp.resolve("landing-other").resolve("x.mp4").toString(), "http://example.org/clip.mp4", root.toUri() + "a/%2e%2e/%2e%2e/secret.mp4"}) {
            ClipRejected e = assertThrows(ClipRejected.class, () -> landing.resolve(uri), uri);
            assertEquals(RejectReason.URI_OUTSIDE_LANDING, e.reason(), uri);
        }
    }
}
