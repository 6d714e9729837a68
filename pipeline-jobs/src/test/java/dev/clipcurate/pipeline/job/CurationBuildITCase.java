package dev.clipcurate.pipeline.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import dev.clipcurate.pipeline.consent.ConsentPublisher;
import dev.clipcurate.pipeline.intake.DonationPublisher;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.pipeline.shards.VersionSealer;
import dev.clipcurate.pipeline.testing.KafkaBroker;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestFootage;
import dev.clipcurate.pipeline.testing.Warehouses;
import dev.clipcurate.schemas.ClipRow;
import dev.clipcurate.schemas.FrameRow;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A BATCH build on a MiniCluster against the real in-process broker and real footage, sealed as v1 and v2. */
class CurationBuildITCase {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void buildsAndSealsVersionsFromRealFootage(@TempDir java.nio.file.Path tmp) throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        String topic = "donated-" + System.nanoTime();
        kafka.createTopic(topic, 2);
        java.nio.file.Path landing = Files.createDirectories(tmp.resolve("landing"));
        Files.copy(TestFootage.streetCamera(), landing.resolve("street.avi"));
        Files.copy(TestFootage.megamind(), landing.resolve("megamind.avi"));
        Files.writeString(landing.resolve("notes.txt"), "this is not a video\n".repeat(50));
        // a mirrored, rescaled re-encode of megamind.avi, made after it (captured later): a duplicate within the build
        TestClips.variant(TestFootage.megamind(), landing.resolve("mirrored.mp4"), 0, 60, true, 1, 0.75);

        CurationOptions o = options(kafka, tmp, landing, topic);
        List<ObjectNode> sent;
        try (DonationPublisher publisher = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            sent = publisher.donateDirectory(landing, landing);
            publisher.send("garbage", "{not json".getBytes(StandardCharsets.UTF_8));
            publisher.send(sent(sent, "megamind.avi")); // a redelivery
        }

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        VersionSealer.Sealed v1 = new CurationRunner(o, new PrintStream(console, true))
                .run(CurationRunner.Mode.BATCH, true, List.of("test"));
        assertNotNull(v1);
        assertEquals(1, v1.version());
        JsonNode doc = v1.document();
        JsonNode counts = doc.get("counts");
        assertEquals(6, counts.get("messages_consumed").asLong());
        assertEquals(5, counts.get("manifest_rows").asLong());
        assertEquals(1, counts.get("redelivered_dropped").asLong());
        assertEquals(2, counts.get("clips_accepted").asLong());
        assertEquals(1, counts.get("clips_duplicate").asLong());
        assertEquals(2, counts.get("clips_rejected").asLong());
        assertEquals(1, counts.get("rejected_by_reason").get("malformed_json").asLong());
        assertEquals(1, counts.get("rejected_by_reason").get("not_a_video").asLong());

        // read back every manifest listed in the version
        List<ClipRow> clips = new ArrayList<>();
        List<FrameRow> frames = new ArrayList<>();
        java.nio.file.Path datasetDir = tmp.resolve("warehouse").resolve(o.dataset);
        for (JsonNode f : doc.get("files")) {
            Path file = new Path(datasetDir.resolve(f.get("path").asText()).toUri());
            switch (f.get("kind").asText()) {
                case "clip_manifest" -> clips.addAll(ManifestFiles.read(file, ClipRow.class));
                case "frame_manifest" -> frames.addAll(ManifestFiles.read(file, FrameRow.class));
                default -> { }
            }
        }
        Map<String, Long> framesPerClip = frames.stream().collect(Collectors.groupingBy(FrameRow::getClipId, Collectors.counting()));
        String street = sent(sent, "street.avi").get("clip_id").asText();
        String megamind = sent(sent, "megamind.avi").get("clip_id").asText();
        ClipRow mirrored = clips.stream().filter(c -> "mirrored.mp4".equals(c.getSourceUri())).findFirst().orElseThrow();
        assertEquals("duplicate", mirrored.getDecision());
        assertEquals("mirrored_duplicate", mirrored.getReason());
        assertEquals(megamind, mirrored.getDupOf());
        assertTrue(mirrored.getDupMirrored());
        assertEquals(0, mirrored.getDupOffsetMs(), 500);
        assertEquals(0, framesPerClip.getOrDefault(mirrored.getClipId(), 0L), "a duplicate writes no frames");
        assertEquals("mpeg4", mirrored.getVideoCodec(), "what the fingerprint's decoding found");
        assertEquals(11.3, mirrored.getDurationS(), 0.3);
        for (ClipRow c : clips) {
            assertEquals("accepted".equals(c.getDecision()), c.getFingerprint() != null, "fingerprint of accepted clips only");
        }
        assertTrue(frames.stream().allMatch(f -> f.getPdqHash() != null && f.getPdqHash().length() == 64),
                "at the default 2 fps every frame carries its PDQ hash");
        // 79.5 s at 2 frames per second
        assertEquals(159, framesPerClip.get(street));
        for (ClipRow c : clips) {
            boolean accepted = "accepted".equals(c.getDecision());
            if (accepted) assertTrue(c.getClipScore() >= 0.3f, "scored and kept: " + c);
            if ("low_score".equals(c.getReason())) assertTrue(c.getClipScore() < 0.3f, "scored and rejected: " + c);
            // near duplicates are scored in the decoding pass too, exact copies are never decoded
            if ("exact_copy".equals(c.getReason())) assertNull(c.getClipScore(), c.toString());
            assertEquals(accepted, c.getStagedLabel() != null && c.getStagedConfidence() >= 0.5f, "labelled: " + c);
            if (accepted) assertEquals(64, c.getScoreModelSha256().length());
        }
        assertTrue(frames.stream().allMatch(f -> f.getFrameScore() != null && f.getStagedLabel() != null),
                "every frame carries its score and its clip's label");
        for (FrameRow fr : frames) {
            assertTrue(fr.getWidth() <= 640 && fr.getHeight() <= 640, "long side capped");
            assertTrue(fr.getDonorPseudonym().startsWith("d_"));
        }
        String raw = Files.readString(v1.versionFile() == null ? null : java.nio.file.Path.of(v1.versionFile().toUri()));
        assertFalse(raw.contains("demo-donor-1"), "raw donor id must not reach the version file");
        for (ClipRow c : clips) assertFalse("demo-donor-1".equals(c.getDonorPseudonym()));
        assertTrue(console.toString().contains("Build "), console.toString());

        // a second build with nothing new seals nothing; with one new clip it seals v2 on top of v1
        assertEquals(null, new CurationRunner(o, new PrintStream(console, true)).run(CurationRunner.Mode.BATCH, true, List.of()));
        try (DonationPublisher publisher = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            java.nio.file.Path more = Files.createDirectories(landing.resolve("more"));
            Files.copy(TestFootage.sample("tree.avi"), more.resolve("tree.avi")); // nobody in view: low_score
            // 10 s panning over a photo of footballers: people and motion, a take of about megamind's length
            TestClips.panning(more.resolve("pitch-pan.mp4"), TestFootage.sample("messi5.jpg"), 320, 240, 10, 10);
            // captured (file time) five minutes on: v1's street clip (79.5 s, file time of v1's set-up) would
            // otherwise still be recording, and clips inside one recording are never takes of each other
            Files.setLastModifiedTime(more.resolve("pitch-pan.mp4"), java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().plus(java.time.Duration.ofMinutes(5))));
            // seconds 2-9 of megamind.avi, cropped and half size: a duplicate of a clip of v1
            TestClips.variant(TestFootage.megamind(), more.resolve("trailer-cut.mp4"), 2, 9, false, 0.92, 0.5);
            publisher.donateDirectory(landing, more);
            publisher.send(sent(sent, "street.avi")); // again: already in v1, so dropped
        }
        VersionSealer.Sealed v2 = new CurationRunner(o, new PrintStream(console, true))
                .run(CurationRunner.Mode.BATCH, true, List.of());
        assertEquals(2, v2.version());
        assertEquals("v000001", v2.document().get("parent").asText());
        assertEquals(4, v2.document().get("counts").get("messages_consumed").asLong());
        assertEquals(1, v2.document().get("counts").get("redelivered_dropped").asLong());
        assertEquals(1, v2.document().get("counts").get("clips_accepted").asLong());
        assertEquals(1, v2.document().get("counts").get("clips_duplicate").asLong());
        assertEquals(1, v2.document().get("counts").get("rejected_by_reason").get("low_score").asLong());
        List<ClipRow> v2Rows = Warehouses.clipRows(datasetDir, v2.document());
        ClipRow tree = v2Rows.stream().filter(c -> "more/tree.avi".equals(c.getSourceUri())).findFirst().orElseThrow();
        assertEquals("low_score", tree.getReason());
        assertTrue(tree.getClipScore() < 0.3f && tree.getReasonDetail().contains("below the minimum"), tree.toString());
        ClipRow pan = v2Rows.stream().filter(c -> "more/pitch-pan.mp4".equals(c.getSourceUri())).findFirst().orElseThrow();
        assertEquals("accepted", pan.getDecision(), pan.toString());
        // the staging stage sees the donor's clips of v1 (same camera, 11.3 s, minutes earlier): a second take
        assertTrue(pan.getStagedEvidence().stream().anyMatch(e -> e.startsWith("repeated_scene")), pan.toString());
        ClipRow cut = Warehouses.clipRows(datasetDir, v2.document()).stream()
                .filter(c -> "more/trailer-cut.mp4".equals(c.getSourceUri())).findFirst().orElseThrow();
        assertEquals("near_duplicate", cut.getReason());
        assertEquals(megamind, cut.getDupOf(), "v1's clip, seeded into v2's index from v1's clip manifest");
        assertEquals(2000, cut.getDupOffsetMs(), 500);
        // cumulative: the parent's files as they were, plus this build's shard and manifests (a manifest per
        // subtask that wrote rows)
        JsonNode v2Files = v2.document().get("files");
        for (int i = 0; i < doc.get("files").size(); i++) assertEquals(doc.get("files").get(i).toString(), v2Files.get(i).toString());
        java.util.Set<String> newKinds = new java.util.TreeSet<>();
        for (int i = doc.get("files").size(); i < v2Files.size(); i++) {
            assertEquals(v2.document().get("build").get("id").asText(), v2Files.get(i).get("build_id").asText());
            newKinds.add(v2Files.get(i).get("kind").asText());
        }
        assertEquals(java.util.Set.of("frames", "frame_manifest", "clip_manifest"), newKinds, v2Files.toString());
        assertEquals("v000002", Files.readString(datasetDir.resolve("LATEST")).trim());

        // what a steward reads: the versions, and what v2 added and why
        var listed = dev.clipcurate.pipeline.cli.CurateCliTest.run("versions", "--warehouse", o.warehouse);
        assertEquals(0, listed.exit(), listed.err());
        assertTrue(listed.out().contains("2 version(s)") && listed.out().lines().anyMatch(l -> l.startsWith("v000002")
                && l.contains("v000001") && l.contains("3 clips,")), listed.out());
        var diff = dev.clipcurate.pipeline.cli.CurateCliTest.run("diff", "--warehouse", o.warehouse, "v000001", "2");
        assertEquals(0, diff.exit(), diff.err());
        assertTrue(diff.out().contains("added (1):") && diff.out().contains("+ " + pan.getClipId())
                && diff.out().contains("removed (0):"), diff.out());
        assertTrue(diff.out().contains("not added by the builds in between (2):")
                && diff.out().lines().anyMatch(l -> l.contains(tree.getClipId()) && l.contains("rejected low_score"))
                && diff.out().lines().anyMatch(l -> l.contains(cut.getClipId()) && l.contains("duplicate near_duplicate")),
                diff.out());
    }

    @Test
    void aBuildThatFailsLeavesNoVersionBehind(@TempDir java.nio.file.Path tmp) throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        String topic = "failing-" + System.nanoTime();
        kafka.createTopic(topic, 1);
        java.nio.file.Path landing = Files.createDirectories(tmp.resolve("landing"));
        Files.copy(TestFootage.megamind(), landing.resolve("a.avi"));
        try (DonationPublisher publisher = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            publisher.donateDirectory(landing, landing);
        }
        CurationOptions o = options(kafka, tmp, landing, topic);
        // a stray file where the new version must go: sealing has to fail at its very last step
        java.nio.file.Path versions = Files.createDirectories(tmp.resolve("warehouse").resolve(o.dataset).resolve("versions"));
        Files.writeString(versions.resolve("v000001.json"), "{}");
        o.restartAttempts = 0; // the job's committer fails to seal; restarts would fail the same way

        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new CurationRunner(o, new PrintStream(java.io.OutputStream.nullOutputStream()))
                        .run(CurationRunner.Mode.BATCH, true, List.of()));
        assertTrue(e.getMessage().contains("no version was sealed") && e.getMessage().contains("already exists"),
                e.getMessage());
        java.nio.file.Path datasetDir = tmp.resolve("warehouse").resolve(o.dataset);
        assertFalse(Files.exists(datasetDir.resolve("LATEST")));
        try (var builds = Files.list(datasetDir.resolve("shards"))) {
            assertEquals(0, builds.count(), "the failed build's shards are removed");
        }
        assertEquals("{}", Files.readString(versions.resolve("v000001.json")));
    }

    private static ObjectNode sent(List<ObjectNode> sent, String file) {
        return sent.stream().filter(m -> m.get("clip_uri").asText().equals(file)).findFirst().orElseThrow();
    }

    /**
     * Options for a build of {@code topic} into {@code tmp/warehouse}, with a consent topic of its own on which the
     * default donor of {@link DonationPublisher#message} has granted consent for training.
     */
    static CurationOptions options(EmbeddedKafka kafka, java.nio.file.Path tmp, java.nio.file.Path landing, String topic)
            throws Exception {
        kafka.createTopic(topic + ".consent", 1);
        try (ConsentPublisher consent = new ConsentPublisher(kafka.bootstrapServers(), topic + ".consent")) {
            consent.grantTraining(List.of(DonationPublisher.DEFAULT_DONOR), "terms-1", "test");
        }
        CurationOptions o = new CurationOptions();
        o.consentTopic = topic + ".consent";
        o.bootstrapServers = kafka.bootstrapServers();
        o.donationsTopic = topic;
        o.rejectedTopic = topic + ".rejected";
        o.landingRoot = landing.toString();
        o.warehouse = tmp.resolve("warehouse").toString();
        o.pseudonymKey = "test-key-test-key-test-key".getBytes(StandardCharsets.UTF_8);
        o.parallelism = 2;
        return o;
    }
}
