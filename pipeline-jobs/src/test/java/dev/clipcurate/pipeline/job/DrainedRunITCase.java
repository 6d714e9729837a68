package dev.clipcurate.pipeline.job;

import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import dev.clipcurate.pipeline.intake.DonationPublisher;
import dev.clipcurate.pipeline.shards.VersionSealer;
import dev.clipcurate.pipeline.testing.KafkaBroker;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A streaming run stopped by its user (Ctrl-C: stop with a savepoint, then seal) records every message it consumed.
 * It used to take the end offsets from the consumer group, which the Kafka source commits only after a checkpoint,
 * and the drained savepoint's commit was lost: scripts/cluster-check sealed 1 of 4 consumed messages, and the next
 * run would read the other 3 again.
 */
class DrainedRunITCase {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void aDrainedRunRecordsEveryMessageItConsumed(@TempDir Path tmp) throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        String topic = "drained";
        kafka.createTopic(topic, 2);
        Path landing = Files.createDirectories(tmp.resolve("landing"));
        CurationOptions o = CurationBuildITCase.options(kafka, tmp, landing, topic);
        o.checkpointInterval = java.time.Duration.ofSeconds(60); // no checkpoint before the drain
        int sent = 6;
        try (DonationPublisher p = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            // rejected at parsing: a row each, no decoding, so the run is quick
            for (int i = 0; i < sent; i++) p.send("m" + i, ("not json " + i).getBytes(StandardCharsets.UTF_8));
        }
        AtomicReference<JobClient> job = new AtomicReference<>();
        CurationRunner runner = new CurationRunner(o, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .onStarted(job::set);
        CompletableFuture<VersionSealer.Sealed> run = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(CurationRunner.Mode.STREAMING, false, List.of("drained-run-test"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.currentTimeMillis() + 120_000;
        long read = 0;
        while (read < sent && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            if (job.get() == null) continue;
            Object messages = job.get().getAccumulators().get(30, TimeUnit.SECONDS).get(Progress.MESSAGES);
            read = messages == null ? 0 : ((Number) messages).longValue();
        }
        assertEquals(sent, read, "the job read every message before it was stopped");
        runner.stop();
        VersionSealer.Sealed sealed = run.get(120, TimeUnit.SECONDS);
        var counts = sealed.document().get("counts");
        assertEquals(sent, counts.get("manifest_rows").asInt());
        assertEquals(sent, counts.get("messages_consumed").asInt(), sealed.document().get("kafka_offsets").toString());
    }
}
