package dev.clipcurate.pipeline.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import dev.clipcurate.pipeline.intake.DonationPublisher;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import dev.clipcurate.pipeline.shards.VersionSealer;
import dev.clipcurate.pipeline.testing.KafkaBroker;
import dev.clipcurate.pipeline.testing.Warehouses;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A streaming run that dies without draining (here: its job is cancelled, as when the process is killed) keeps its
 * newest checkpoint; the next run resumes it under the same build id. Every message is in exactly one version, and
 * every part file the runs committed is listed by a version: nothing is curated twice, no shard is orphaned.
 */
class ResumedRunITCase {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void aRunThatDiedIsResumedFromItsCheckpoint(@TempDir Path tmp) throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        String topic = "resumed";
        kafka.createTopic(topic, 1);
        Path landing = Files.createDirectories(tmp.resolve("landing"));
        CurationOptions o = CurationBuildITCase.options(kafka, tmp, landing, topic);
        o.checkpointInterval = Duration.ofSeconds(1);
        o.sealInterval = Duration.ofSeconds(2);
        o.restartAttempts = 0;
        DatasetLayout layout = new DatasetLayout(o.warehouse, o.dataset);
        VersionSealer versions = new VersionSealer(layout);

        // run 1: seals a version, reads more, and dies
        AtomicReference<JobClient> job = new AtomicReference<>();
        CompletableFuture<VersionSealer.Sealed> first = runAsync(new CurationRunner(o, quiet()).onStarted(job::set));
        send(kafka, topic, 0, 3);
        assertNotNull(Warehouses.waitForRows(versions, 3, Duration.ofMinutes(2)), "run 1 sealed a version while it ran");
        String buildId = versions.latest().get("build").get("id").asText();
        send(kafka, topic, 3, 6);
        RunRegistry runs = new RunRegistry(layout);
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (consumed(job.get()) < 6 && System.nanoTime() < deadline) Thread.sleep(200);
        Thread.sleep(3_000); // a checkpoint or two after the last message
        job.get().cancel().get(1, TimeUnit.MINUTES);
        var died = assertThrows(java.util.concurrent.ExecutionException.class, () -> first.get(2, TimeUnit.MINUTES));
        assertTrue(died.getMessage().contains("the next run resumes it"), died.getMessage());
        RunRegistry.Run dead = runs.resumable();
        assertNotNull(dead, "the dead run can be resumed");
        assertEquals(buildId, dead.build().buildId());

        // run 2: resumes it, reads more, is drained
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        CurationRunner second = new CurationRunner(o, new PrintStream(console, true));
        CompletableFuture<VersionSealer.Sealed> resumed = runAsync(second);
        send(kafka, topic, 6, 8);
        JsonNode all8 = Warehouses.waitForRows(versions, 8, Duration.ofMinutes(2));
        assertNotNull(all8, "the resumed run sealed the rest: " + console);
        second.stop();
        resumed.get(2, TimeUnit.MINUTES);
        assertTrue(console.toString().contains("Resuming run " + buildId), console.toString());

        List<JsonNode> all = new DatasetVersions(layout).all();
        List<Long> offsets = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        for (JsonNode v : all) {
            assertEquals(buildId, v.get("build").get("id").asText(), "one build, resumed");
            for (ClipRow row : new DatasetVersions(layout).clipRows(v)) if (v == all.get(all.size() - 1)) offsets.add(row.getSourceOffset());
            v.get("files").forEach(f -> listed.add(f.get("path").asText()));
        }
        assertEquals(LongStream.range(0, 8).boxed().toList(), offsets.stream().sorted().toList(),
                "every message in the newest version exactly once");
        assertEquals(8, all.stream().mapToLong(v -> v.get("counts").get("messages_consumed").asLong()).sum());
        try (Stream<Path> files = Files.walk(Path.of(layout.buildDir(buildId).toUri()))) {
            Set<String> committed = files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .map(f -> layout.relative(new org.apache.flink.core.fs.Path(f.toUri())))
                    .collect(Collectors.toCollection(TreeSet::new));
            committed.removeAll(listed);
            assertEquals(Set.of(), committed, "every committed file is in a version");
        }
        assertEquals(List.of(), runs.all(), "nothing left to resume");
    }

    private static CompletableFuture<VersionSealer.Sealed> runAsync(CurationRunner runner) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(CurationRunner.Mode.STREAMING, false, List.of("resumed-run-test"));
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    private static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }

    /** Messages rejected at parsing: a row each and no decoding, so the runs are quick. */
    private static void send(EmbeddedKafka kafka, String topic, int from, int to) throws Exception {
        try (DonationPublisher p = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            for (int i = from; i < to; i++) p.send("m" + i, ("not json " + i).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static long consumed(JobClient job) throws Exception {
        if (job == null) return 0;
        Object n = job.getAccumulators().get(30, TimeUnit.SECONDS).get(Progress.MESSAGES);
        return n == null ? 0 : ((Number) n).longValue();
    }
}
