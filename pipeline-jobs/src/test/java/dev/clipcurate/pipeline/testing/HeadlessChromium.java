package dev.clipcurate.pipeline.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders local HTML files with Debian's headless Chromium, for tests that check what a page really looks like.
 * Each run gets a throw-away profile directory so runs never share state or lock each other out.
 */
public final class HeadlessChromium {
    private static final long TIMEOUT_SECONDS = 120;
    private static final int OUTPUT_TAIL_CHARS = 4000;

    private HeadlessChromium() {}

    /** Screenshots {@code html} in a {@code width}×{@code height} window into {@code png}; returns {@code png}. */
    public static Path screenshot(Path html, Path png, int width, int height) {
        Path target = png.toAbsolutePath();
        try {
            Files.deleteIfExists(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Result result = run(html, "--window-size=" + width + "," + height, "--screenshot=" + target);
        if (result.exitCode != 0 || !Files.isRegularFile(target)) {
            throw new IllegalStateException("chromium " + (result.exitCode != 0 ? "exited with " + result.exitCode
                    : "wrote no screenshot to " + target) + "; its output ends:\n" + result.tail());
        }
        return png;
    }

    /** The DOM of {@code html} after Chromium has parsed it, as Chromium serialises it. */
    public static String dumpDom(Path html) {
        Result result = run(html, "--dump-dom");
        if (result.exitCode != 0) {
            throw new IllegalStateException("chromium exited with " + result.exitCode + "; its output ends:\n" + result.tail());
        }
        return result.stdout;
    }

    private record Result(int exitCode, String stdout, String stderr) {
        String tail() {
            String all = stdout + stderr;
            return all.length() <= OUTPUT_TAIL_CHARS ? all : "…" + all.substring(all.length() - OUTPUT_TAIL_CHARS);
        }
    }

    private static Result run(Path html, String... modeArgs) {
        Path executable = findOnPath("chromium", "chromium-browser");
        Path profile = null, stdout = null, stderr = null;
        try {
            profile = Files.createTempDirectory("chromium-profile");
            stdout = Files.createTempFile("chromium", ".out");
            stderr = Files.createTempFile("chromium", ".err");
            List<String> command = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile));
            command.addAll(List.of(modeArgs));
            command.add(html.toAbsolutePath().toUri().toString());
            // Output goes to files, not pipes: a chatty chromium can never block on a full pipe buffer.
            Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("chromium did not finish within " + TIMEOUT_SECONDS + " s; its output ends:\n"
                        + new Result(-1, Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8)).tail());
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for chromium", e);
        } finally {
            deleteQuietly(profile);
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    private static Path findOnPath(String... names) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : names) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
            }
        }
        throw new IllegalStateException("Debian's chromium is not installed: run scripts/setup (looked for "
                + String.join(" and ", names) + " on PATH)");
    }

    /** Best effort: a helper process chromium leaves behind may still hold a file for a moment. */
    private static void deleteQuietly(Path path) {
        if (path == null || !Files.exists(path)) return;
        try (Stream<Path> all = Files.walk(path)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // Leaving a temp directory behind is harmless; failing the test over it is not.
        }
    }
}
