package dev.clipcurate.pipeline.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import dev.clipcurate.pipeline.intake.DonationPublisher;
import dev.clipcurate.pipeline.privacy.ClipAnonymiser;
import dev.clipcurate.pipeline.privacy.ConsentedRegions;
import dev.clipcurate.pipeline.media.FrameKeys;
import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.shards.VersionSealer;
import dev.clipcurate.pipeline.testing.KafkaBroker;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestFootage;
import dev.clipcurate.pipeline.testing.Warehouses;
import dev.clipcurate.schemas.ClipRow;
import dev.clipcurate.schemas.FrameRow;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a TaskManager while the streaming job is writing shards, lets Flink restore from the last checkpoint,
 * and compares every frame written with the frames a reference decode of the input gives: none lost, none twice.
 */
class ExactlyOnceITCase {
    private static final int CLIPS = 6;
    private static final int SECONDS = 13;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            // one slot each: with parallelism 2 both TaskManagers run part of the job, so the kill always hits it
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(1)
            .build());

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void aKilledTaskManagerLosesNoFrameAndWritesNoneTwice(@InjectMiniCluster MiniCluster cluster, @TempDir Path tmp)
            throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        String topic = "exactly-once";
        kafka.createTopic(topic, 2);
        Path landing = Files.createDirectories(tmp.resolve("landing"));
        Map<String, Path> inputs = new TreeMap<>();
        // six different events of one fixed street camera: the dedup stage must keep them all
        for (int i = 0; i < CLIPS; i++) {
            inputs.put("street-" + i, TestClips.variant(TestFootage.streetCamera(), landing.resolve("street-" + i + ".mp4"),
                    i * SECONDS, (i + 1) * SECONDS, false, 1, 1));
        }
        // and a half-size re-encode of the first: whichever of the two arrives first is kept, the other is a duplicate
        inputs.put("street-0-copy", TestClips.variant(TestFootage.streetCamera(), landing.resolve("street-0-copy.mp4"),
                0, SECONDS, false, 1, 0.5));
        try (DonationPublisher p = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            for (var e : inputs.entrySet()) {
                ObjectNode m = DonationPublisher.message(landing, e.getValue(), null);
                m.put("clip_id", e.getKey());
                p.send(m);
            }
            // a donor who never granted consent: held while the consent topic is read, then rejected, never decoded
            ObjectNode unconsented = DonationPublisher.message(landing, inputs.get("street-1"), null);
            unconsented.put("clip_id", "no-consent").put("donor_id", "donor-never-asked");
            p.send(unconsented);
        }

        CurationOptions o = CurationBuildITCase.options(kafka, tmp, landing, topic);
        o.checkpointInterval = Duration.ofMillis(300);
        o.shardTargetBytes = 1L << 20;
        o.restartAttempts = 5;
        o.sampleFps = 1.0; // every frame is face-detected and verified: keep the test's work small
        Path stagingFrames = tmp.resolve("warehouse").resolve(o.dataset).resolve("shards");

        AtomicInteger committedAtKill = new AtomicInteger(-1);
        AtomicReference<Throwable> killerFailure = new AtomicReference<>();
        AtomicReference<org.apache.flink.api.common.JobID> jobId = new AtomicReference<>();
        CurationRunner runner = new CurationRunner(o, new PrintStream(java.io.OutputStream.nullOutputStream()))
                .onStarted(client -> {
                    jobId.set(client.getJobID());
                    Thread killer = new Thread(() -> {
                        try {
                            long deadline = System.currentTimeMillis() + 600_000;
                            int committed = 0;
                            while (committed == 0 && System.currentTimeMillis() < deadline) {
                                committed = countCommittedTars(stagingFrames);
                                Thread.sleep(20);
                            }
                            committedAtKill.set(committed);
                            cluster.terminateTaskManager(0).get();
                            cluster.startTaskManager(); // a replacement, as a cluster manager would bring
                        } catch (Throwable t) {
                            killerFailure.set(t);
                        }
                    }, "task-manager-killer");
                    killer.setDaemon(true);
                    killer.start();
                });
        VersionSealer.Sealed sealed = runner.run(CurationRunner.Mode.STREAMING, true, List.of("exactly-once-test"));
        assertNull(killerFailure.get());

        var graph = cluster.getArchivedExecutionGraph(jobId.get()).get();
        assertEquals(JobStatus.FINISHED, graph.getState());
        assertTrue(graph.getStatusTimestamp(JobStatus.RESTARTING) > 0, "the job must have restarted after the kill");
        assertTrue(committedAtKill.get() >= 1, "killed after some shards were committed");

        Path datasetDir = tmp.resolve("warehouse").resolve(o.dataset);
        Map<String, ClipRow> decisions = new TreeMap<>();
        for (ClipRow row : Warehouses.clipRows(datasetDir, sealed.document())) {
            assertNull(decisions.put(row.getClipId(), row), "clip " + row.getClipId() + " decided twice");
        }
        ClipRow refused = decisions.remove("no-consent");
        assertEquals("no_consent", refused.getReason(), refused.toString());
        assertNull(refused.getContainer(), "never decoded");
        assertEquals(inputs.keySet(), decisions.keySet());
        ClipRow original = decisions.get("street-0"), copy = decisions.get("street-0-copy");
        ClipRow duplicate = "duplicate".equals(original.getDecision()) ? original : copy;
        String kept = duplicate == original ? "street-0-copy" : "street-0";
        assertEquals("duplicate", duplicate.getDecision(), "one of the two copies is a duplicate");
        assertEquals("near_duplicate", duplicate.getReason());
        assertEquals(kept, duplicate.getDupOf());
        assertEquals(1, decisions.values().stream().filter(r -> "duplicate".equals(r.getDecision())).count(),
                "different events of the same camera are not duplicates");

        // the reference: each kept input decoded and anonymised on its own, outside Flink
        Map<String, String> expected = new TreeMap<>();
        int quarantined = 0;
        try (ClipAnonymiser reference = new ClipAnonymiser(o.decodeLimits(), o.privacySettings())) {
            for (var e : inputs.entrySet()) {
                if (e.getKey().equals(duplicate.getClipId())) continue;
                ClipAnonymiser.Outcome clip = reference.anonymise(e.getValue().toFile(), ConsentedRegions.parse(null), e.getKey());
                if (clip.leakFrames() > 0) { // quarantined: the pipeline writes none of its frames
                    quarantined++;
                    continue;
                }
                for (int i = 0; i < clip.frames().size(); i++) {
                    expected.put(FrameKeys.of(e.getKey(), i), Hashing.sha256Hex(clip.frames().get(i).jpeg));
                }
            }
        }
        List<FrameRow> written = Warehouses.frameRows(datasetDir, sealed.document());
        Map<String, String> actual = new TreeMap<>();
        for (FrameRow row : written) {
            String previous = actual.put(row.getKey(), row.getJpgSha256());
            assertNull(previous, "frame " + row.getKey() + " written twice");
        }
        assertEquals((CLIPS - quarantined) * SECONDS, expected.size(), "13 frames per clip: 13 s at 1 fps");
        assertTrue(quarantined <= 2, "quarantined " + quarantined);
        assertEquals(expected, actual, "every frame exactly once, byte for byte");
        assertTrue(sealed.document().get("files").size() > 3, "several shards rolled across checkpoints");
        assertEquals(CLIPS - quarantined, sealed.document().get("counts").get("clips_accepted").asInt());
        assertEquals(quarantined, sealed.document().get("counts").get("clips_quarantined").asInt());
    }

    private static int countCommittedTars(Path shardsDir) throws Exception {
        if (!Files.isDirectory(shardsDir)) return 0;
        try (var files = Files.walk(shardsDir)) {
            return (int) files.filter(f -> f.getParent().getFileName().toString().equals("frames"))
                    .map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".tar") && !n.startsWith("."))
                    .count();
        } catch (java.io.UncheckedIOException e) {
            // the sink renamed an in-progress file while we walked: count again on the next poll
            if (e.getCause() instanceof java.nio.file.NoSuchFileException) return 0;
            throw e;
        }
    }
}
