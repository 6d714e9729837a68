package dev.clipcurate.pipeline.erasure;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.audit.HtmlReport;
import dev.clipcurate.pipeline.audit.VersionAudit;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.consent.ConsentUpdate;
import dev.clipcurate.pipeline.shards.BuildInfo;
import dev.clipcurate.pipeline.job.RunRegistry;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.pipeline.shards.TarShards;
import dev.clipcurate.pipeline.shards.VersionSealer;
import dev.clipcurate.pipeline.testing.Warehouses;
import dev.clipcurate.schemas.ClipRow;
import dev.clipcurate.schemas.FrameRow;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Purge, receipts and gc on versions sealed by the real sealer from hand-made shards: three builds, donor X in
 * two of them (alone in one), donor Y beside X and alone in another.
 */
class DonorPurgeTest {
    private static final String X = "d_x";
    private static final String Y = "d_y";

    @Test
    void purgeRewritesOnlyWhatHoldsTheDonorAndGcErasesTheRest(@TempDir Path tmp) throws Exception {
        DatasetLayout layout = new DatasetLayout(tmp.resolve("warehouse").toString(), "clips");
        build(layout, "bA", null, List.of(clip("a1", X, 3), clip("a2", Y, 2), rejected("a3", X)));
        build(layout, "bB", "v000001", List.of(clip("b1", Y, 2)));
        build(layout, "bC", "v000002", List.of(clip("c1", X, 2)));
        Path datasetDir = tmp.resolve("warehouse/clips");
        Map<Path, String> before = hashes(datasetDir.resolve("shards"));
        JsonNode v3 = new VersionSealer(layout).latest();

        DonorPurge.Result purge = new DonorPurge(layout).purge(Map.of(X, revocation(X)), List.of("purge"));
        JsonNode v4 = purge.sealed().document();
        assertEquals("v000004", v4.get("name").asText());
        assertEquals(2, v4.get("totals").get("clips_accepted").asLong(), "a2 and b1");
        assertEquals(4, v4.get("totals").get("frames").asLong());
        assertEquals(3, v4.get("purge").get("clip_rows_removed").asLong());
        assertEquals(5, v4.get("purge").get("frames_removed").asLong());
        assertEquals(3, v4.get("purge").get("files_rewritten").asLong(), "build A's tar, frame manifest, clip manifest");
        assertEquals(3, v4.get("purge").get("files_dropped").asLong(), "build C held only X");
        assertEquals(v3.get("kafka_offsets"), v4.get("kafka_offsets"));
        // build B's files are listed as they were; nothing that existed changed
        for (JsonNode f : v3.get("files")) {
            if (f.get("build_id").asText().equals("bB")) assertTrue(listed(v4, f.get("path").asText()), f.toString());
        }
        assertEquals(before, hashes(datasetDir.resolve("shards"), before.keySet()));
        assertEquals(List.of("v000001", "v000002", "v000003"), purge.versionsAffected());

        VersionAudit.Outcome audit = new VersionAudit(layout).audit(v4, null, "no broker in this test");
        for (HtmlReport.Check c : audit.checks()) {
            boolean consentCheck = c.name().startsWith("no revoked") || c.name().startsWith("consent valid");
            assertEquals(!consentCheck, c.passed(), c.name() + ": " + c.detail());
        }

        // Y revokes too: its receipt also names build A's original files, which v1-v3 still list
        DonorPurge.Result second = new DonorPurge(layout).purge(Map.of(Y, revocation(Y)), List.of("purge"));
        JsonNode receiptY = ErasureReceipts.read(second.receipts().get(0));
        List<String> awaiting = new ArrayList<>();
        receiptY.get("files_awaiting_deletion").forEach(f -> awaiting.add(f.asText()));
        assertTrue(awaiting.stream().anyMatch(f -> f.startsWith("shards/bA/frames")), awaiting.toString());
        assertTrue(awaiting.stream().anyMatch(f -> f.startsWith("shards/purge-")), awaiting.toString());
        assertEquals(List.of("v000001", "v000002", "v000003", "v000004"),
                AvroJson.MAPPER.convertValue(receiptY.get("versions_affected"), List.class));
        assertEquals(0, second.sealed().document().get("totals").get("frames").asLong());
        assertNull(new DonorPurge(layout).purge(Map.of(Y, revocation(Y)), List.of()), "nothing left to purge");

        ShardCollector.Result gc = new ShardCollector(layout).collect(1, false);
        assertEquals(List.of("v000001", "v000002", "v000003", "v000004"), gc.versionsCollected());
        for (org.apache.flink.core.fs.Path receipt : new ErasureReceipts(layout).receiptFiles()) {
            JsonNode r = ErasureReceipts.read(receipt);
            assertTrue(r.get("erasure_complete").asBoolean(), r.toString());
            assertTrue(Files.readString(Path.of(receipt.toUri()).resolveSibling(
                    r.get("donor_pseudonym").asText() + ".txt")).contains("the erasure was complete"));
        }
        // no frame of X or Y is in any file of the dataset any more
        try (var files = Files.walk(datasetDir.resolve("shards"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".tar")) assertEquals(0, members(f).size(), f.toString());
                if (name.startsWith("frames-") && name.endsWith(".parquet")) {
                    assertEquals(0, ManifestFiles.read(new org.apache.flink.core.fs.Path(f.toUri()), FrameRow.class).size());
                }
                if (name.startsWith("clips-")) {
                    for (ClipRow r : ManifestFiles.read(new org.apache.flink.core.fs.Path(f.toUri()), ClipRow.class)) {
                        assertFalse(Set.of(X, Y).contains(r.getDonorPseudonym()), r.toString());
                    }
                }
            }
        }
        VersionAudit.Outcome old = new VersionAudit(layout).audit(
                AvroJson.MAPPER.readTree(datasetDir.resolve("versions/v000001.json").toFile()), null, "n/a");
        assertTrue(old.checks().get(0).detail().contains("gc deleted this version's files"), old.checks().get(0).detail());
    }

    @Test
    void whatABuildStillHoldsOfADonorPurgedWhileItRanIsLeftOutOfItsVersion(@TempDir Path tmp) throws Exception {
        DatasetLayout layout = new DatasetLayout(tmp.resolve("warehouse").toString(), "clips");
        build(layout, "bA", null, List.of(clip("a1", X, 1), clip("a2", Y, 1)));
        new DonorPurge(layout).purge(Map.of(X, revocation(X)), List.of());
        // a stream that started on v1 committed X's clip before the purge, and seals after it
        VersionSealer.Seal late = stage(layout, "bLate", List.of(clip("late", X, 2), clip("other", Y, 1)));
        JsonNode v3 = new VersionSealer(layout).seal(info("bLate", "v000001"), late).document();
        assertEquals("v000002", v3.get("parent").asText(), "sealed on top of the purge");
        assertEquals(1, v3.get("counts").get("clips_accepted").asLong());
        assertEquals(1, v3.get("counts").get("clip_rows_erased_at_seal").asLong());
        assertEquals(2, v3.get("counts").get("frames_erased_at_seal").asLong());
        for (ClipRow r : new DatasetVersions(layout).clipRows(v3)) assertFalse(X.equals(r.getDonorPseudonym()), r.toString());
        // the committed originals held X's frames: gone; the copies the version lists do not hold them
        for (org.apache.flink.core.fs.Path f : late.tars()) assertFalse(Files.exists(Path.of(f.toUri())), f.toString());
        try (var files = Files.walk(tmp.resolve("warehouse/clips/shards/bLate"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".tar")).toList()) {
                assertTrue(members(f).stream().noneMatch(m -> m.startsWith("late_")), members(f).toString());
            }
        }
        // sealing the same checkpoint again (a restore) seals nothing twice
        assertNull(new VersionSealer(layout).seal(info("bLate", "v000001"), late));
        // a later checkpoint of the same build still held a clip of X (in flight during the purge): left out too
        VersionSealer.Seal later = stage(layout, "bLate", List.of(clip("later", X, 1), clip("more", Y, 1)), "0-1", 2);
        JsonNode v4 = new VersionSealer(layout).seal(info("bLate", "v000001"), later).document();
        assertEquals(1, v4.get("counts").get("clip_rows_erased_at_seal").asLong());
        for (ClipRow r : new DatasetVersions(layout).clipRows(v4)) assertFalse(X.equals(r.getDonorPseudonym()), r.toString());
    }

    @Test
    void aBuildIsNotSealedOnTopOfAnotherBuildsVersion(@TempDir Path tmp) throws Exception {
        DatasetLayout layout = new DatasetLayout(tmp.resolve("warehouse").toString(), "clips");
        build(layout, "bA", null, List.of(clip("a1", X, 1)));
        build(layout, "bB", "v000001", List.of(clip("b1", Y, 1)));
        VersionSealer.Seal late = stage(layout, "bLate", List.of(clip("late", Y, 1)));
        var e = assertThrows(java.io.IOException.class, () -> new VersionSealer(layout).seal(info("bLate", "v000001"), late));
        assertTrue(e.getMessage().contains("v000002 was sealed by build bB while build bLate ran"), e.getMessage());
    }

    @Test
    void gcKeepsEveryFileARetainedVersionLists(@TempDir Path tmp) throws Exception {
        DatasetLayout layout = new DatasetLayout(tmp.resolve("warehouse").toString(), "clips");
        build(layout, "bA", null, List.of(clip("a1", X, 1)));
        build(layout, "bB", "v000001", List.of(clip("b1", Y, 1)));
        assertThrows(IllegalArgumentException.class, () -> new ShardCollector(layout).collect(0, false));
        ShardCollector.Result gc = new ShardCollector(layout).collect(1, false);
        assertEquals(List.of(), gc.deleted(), "v2 lists v1's files too: versions are cumulative");
        // a build that died before sealing left its staged frames: listed, kept unless asked
        stage(layout, "bDead", List.of(clip("dead", X, 1)));
        assertEquals(List.of("shards/bDead"), new ShardCollector(layout).collect(1, false).orphans());
        // a run in progress (its process holds the run's lock) keeps its committed, unsealed files
        RunRegistry runs = new RunRegistry(layout);
        stage(layout, "bLive", List.of(clip("live", Y, 1)));
        runs.register(info("bLive", "v000002"));
        assertEquals(List.of("shards/bDead"), new ShardCollector(layout).collect(1, true, false).orphans());
        ShardCollector.Result spared = new ShardCollector(layout).collect(1, false, true);
        assertEquals(List.of("shards/bDead/"), spared.deleted(), "the live run's directory is not an orphan");
        assertTrue(Files.exists(tmp.resolve("warehouse/clips/shards/bLive/frames/frames-0-0.tar")));
        runs.ended("bLive", true);
        stage(layout, "bDead", List.of(clip("dead", X, 1)));
        assertTrue(Files.exists(tmp.resolve("warehouse/clips/shards/bDead/frames/frames-0-0.tar")));
        ShardCollector.Result withOrphans = new ShardCollector(layout).collect(1, false, true);
        assertEquals(Set.of("shards/bDead/", "shards/bLive/"), Set.copyOf(withOrphans.deleted()),
                "the run that ended is no longer spared");
        assertFalse(Files.exists(tmp.resolve("warehouse/clips/shards/bDead")));
        VersionAudit.Outcome audit = new VersionAudit(layout).audit(new VersionSealer(layout).latest(), null, "n/a");
        assertTrue(audit.checks().get(0).passed(), audit.checks().get(0).detail());
    }

    // --- a dataset made by hand, sealed by the real sealer ---

    private record Clip(ClipRow row, List<FrameRow> frames) {}

    private static Clip clip(String id, String donor, int frames) {
        ClipRow row = row(id, donor, "accepted");
        row.setFramesWritten(frames);
        List<FrameRow> rows = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            String key = id + "_" + i;
            rows.add(FrameRow.newBuilder().setKey(key).setClipId(id).setDonorPseudonym(donor).setCampaign("package-theft")
                    .setCameraId("cam").setFrameIndex(i).setTsMs(i * 500L).setWidth(4).setHeight(4).setSourceWidth(4)
                    .setSourceHeight(4).setJpgSha256(Hashing.sha256Hex(jpeg(key))).setBuildId("b")
                    .setFacesDetected(0).setBoxesAnonymised(0).setAnonymiser("blazeface; verified by cascades").build());
        }
        return new Clip(row, rows);
    }

    private static Clip rejected(String id, String donor) {
        ClipRow row = row(id, donor, "rejected");
        row.setReason("not_a_video");
        return new Clip(row, List.of());
    }

    private static ClipRow row(String id, String donor, String decision) {
        return ClipRow.newBuilder().setClipId(id).setDecision(decision).setSourceTopic("clips.donated")
                .setSourcePartition(0).setSourceOffset(id.hashCode() & 0xffff).setDonorPseudonym(donor)
                .setSha256(Hashing.sha256Hex(id.getBytes(StandardCharsets.UTF_8))).setCampaign("package-theft")
                .setBuildId("b").setProcessedAt(Instant.EPOCH.toString()).build();
    }

    private static byte[] jpeg(String key) {
        return ("not really a jpeg: " + key).getBytes(StandardCharsets.UTF_8);
    }

    private static void build(DatasetLayout layout, String buildId, String parent, List<Clip> clips) throws Exception {
        new VersionSealer(layout).seal(info(buildId, parent), stage(layout, buildId, clips));
    }

    private static BuildInfo info(String buildId, String parent) {
        Map<String, Map<Integer, long[]>> offsets = new TreeMap<>();
        offsets.put("clips.donated", new TreeMap<>(Map.of(0, new long[] {0, 0})));
        return new BuildInfo(buildId, "batch", List.of(), offsets, Map.of("consent_scope", "training"), "test",
                Map.of(), Instant.now(), parent);
    }

    /** What a job's checkpoint leaves: committed FileSink parts in the build's directory, and the seal of them. */
    private static VersionSealer.Seal stage(DatasetLayout layout, String buildId, List<Clip> clips) throws Exception {
        return stage(layout, buildId, clips, "0-0", 1);
    }

    /** As above, for the checkpoint {@code checkpoint}, the part files named by {@code part}. */
    private static VersionSealer.Seal stage(DatasetLayout layout, String buildId, List<Clip> clips, String part,
                                            long checkpoint) throws Exception {
        List<org.apache.flink.core.fs.Path> tars = new ArrayList<>();
        Path frames = Path.of(layout.framesDir(buildId).toUri());
        Files.createDirectories(frames);
        boolean anyFrames = clips.stream().anyMatch(c -> !c.frames().isEmpty());
        if (anyFrames) {
            tars.add(new org.apache.flink.core.fs.Path(frames.resolve("frames-" + part + ".tar").toUri()));
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(frames.resolve("frames-" + part + ".tar")))) {
                for (Clip c : clips) {
                    for (FrameRow f : c.frames()) {
                        Warehouses.putTarMember(tar, f.getKey() + ".json", AvroJson.toJsonBytes(f));
                        Warehouses.putTarMember(tar, f.getKey() + ".jpg", jpeg(f.getKey()));
                    }
                }
            }
        }
        Path clipsDir = Path.of(layout.clipsDir(buildId).toUri());
        Files.createDirectories(clipsDir);
        var clipManifest = new org.apache.flink.core.fs.Path(clipsDir.resolve("clips-" + part + ".parquet").toUri());
        ManifestFiles.write(clipManifest, ClipRow.class, clips.stream().map(Clip::row).toList());
        return new VersionSealer.Seal(tars, List.of(clipManifest), checkpoint, true);
    }

    private static ConsentUpdate revocation(String donor) {
        ConsentUpdate u = new ConsentUpdate();
        u.donorPseudonym = donor;
        u.action = "revoke";
        u.scope = "training";
        u.atMillis = Instant.now().toEpochMilli();
        u.topic = "donors.consent";
        return u;
    }

    private static boolean listed(JsonNode version, String path) {
        for (JsonNode f : version.get("files")) if (f.get("path").asText().equals(path)) return true;
        return false;
    }

    private static List<String> members(Path tar) throws Exception {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) names.add(TarShards.sampleKey(e.getName()));
        }
        return names;
    }

    private static Map<Path, String> hashes(Path dir) throws Exception {
        Map<Path, String> h = new HashMap<>();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try (var in = Files.newInputStream(f)) {
                    h.put(f, Hashing.sha256Hex(in));
                }
            }
        }
        return h;
    }

    private static Map<Path, String> hashes(Path dir, Set<Path> only) throws Exception {
        Map<Path, String> all = hashes(dir);
        all.keySet().retainAll(only);
        return all;
    }
}
