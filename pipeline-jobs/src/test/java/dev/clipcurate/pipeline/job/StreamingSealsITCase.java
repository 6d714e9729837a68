package dev.clipcurate.pipeline.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import dev.clipcurate.pipeline.intake.DonationPublisher;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import dev.clipcurate.pipeline.shards.VersionSealer;
import dev.clipcurate.pipeline.testing.KafkaBroker;
import dev.clipcurate.pipeline.testing.Warehouses;
import dev.clipcurate.pipeline.testing.TestFootage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A streaming run publishes versions while it runs: the job's own committer seals what checkpoints committed every
 * --seal-interval-s, each version takes up the Kafka range where the previous one ended, and the drain seals the
 * rest. Prints the latency from donation to sealed version (README's MiniCluster figure).
 */
class StreamingSealsITCase {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void aRunningStreamSealsVersionsWhileItRuns(@TempDir Path tmp) throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        String topic = "sealing";
        kafka.createTopic(topic, 1);
        Path landing = Files.createDirectories(tmp.resolve("landing"));
        Files.copy(TestFootage.megamind(), landing.resolve("megamind.avi"));
        CurationOptions o = CurationBuildITCase.options(kafka, tmp, landing, topic);
        o.checkpointInterval = Duration.ofSeconds(1);
        o.sealInterval = Duration.ofSeconds(2);
        o.stagingSettle = Duration.ofSeconds(1);
        DatasetLayout layout = new DatasetLayout(o.warehouse, o.dataset);
        VersionSealer versions = new VersionSealer(layout);

        CurationRunner runner = new CurationRunner(o, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        CompletableFuture<VersionSealer.Sealed> run = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(CurationRunner.Mode.STREAMING, false, List.of("streaming-seals-test"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (DonationPublisher p = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            p.donateDirectory(landing, landing); // one real clip: decoded, anonymised, accepted
            for (int i = 0; i < 2; i++) p.send("bad" + i, ("not json " + i).getBytes(StandardCharsets.UTF_8));
        }
        JsonNode first = Warehouses.waitForRows(versions, 3, Duration.ofMinutes(3));
        assertNotNull(first, "a version with the first three messages, sealed while the run runs");
        assertTrue(!run.isDone(), "sealed by the running job, not at its end");

        try (DonationPublisher p = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            for (int i = 2; i < 5; i++) p.send("bad" + i, ("not json " + i).getBytes(StandardCharsets.UTF_8));
        }
        JsonNode second = Warehouses.waitForRows(versions, 6, Duration.ofMinutes(2));
        assertNotNull(second, "a later version with the next three messages");
        assertTrue(!run.isDone());
        runner.stop();
        run.get(2, TimeUnit.MINUTES);

        List<JsonNode> all = new DatasetVersions(layout).all();
        assertTrue(all.size() >= 2, all.size() + " versions");
        long from = 0;
        long consumed = 0;
        long rows = 0;
        for (JsonNode v : all) {
            JsonNode range = v.get("kafka_offsets").get(0);
            assertEquals(from, range.get("from").asLong(), "each version starts where the previous one ended");
            from = range.get("to").asLong();
            consumed += v.get("counts").get("messages_consumed").asLong();
            rows += v.get("counts").get("manifest_rows").asLong();
            assertTrue(v.get("build").get("checkpoint_id").asLong() > 0);
        }
        assertEquals(6, consumed);
        assertEquals(6, rows);
        assertEquals(1, all.get(all.size() - 1).get("totals").get("clips_accepted").asLong());
        JsonNode latency = all.stream().map(v -> v.get("counts").get("latency_s")).filter(JsonNode::isObject)
                .findFirst().orElseThrow();
        assertTrue(latency.get("median").asDouble() > 0, latency.toString());
        System.out.printf("MiniCluster, checkpoint 1 s, seal interval 2 s: %d versions; donation -> sealed version "
                + "for the accepted clip: %.1f s%n", all.size(), latency.get("median").asDouble());
    }
}
