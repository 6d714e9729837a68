package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.common.OnnxSessions;
import dev.clipcurate.pipeline.privacy.HeadDetector;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.schemas.ClipRow;
import dev.clipcurate.schemas.FrameRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's demo, run through the CLI as a user runs it, then read back the way ML engineers read it:
 * scripts/check-manifests opens every manifest with pyarrow and DuckDB and every shard with tarfile, and
 * searches every file for the raw donor ids the demo donated with.
 */
class DemoITCase {
    @Test
    void demoSealsAVersionThatPyarrowAndDuckDbRead(@TempDir Path tmp) throws Exception {
        Path warehouse = tmp.resolve("warehouse");
        String samples = System.getProperty("curate.samples.dir");
        CurateCliTest.Result r = CurateCliTest.run("demo", "--warehouse", warehouse.toString(), "--samples", samples);
        assertEquals(0, r.exit(), r.err());
        assertEquals("v000001", Files.readString(warehouse.resolve("clips/LATEST")).trim());
        JsonNode v1 = AvroJson.MAPPER.readTree(warehouse.resolve("clips/versions/v000001.json").toFile());
        JsonNode counts = v1.get("counts");
        assertEquals(7, counts.get("messages_consumed").asInt());
        assertEquals(2, counts.get("clips_accepted").asInt());
        assertEquals(1, counts.get("clips_duplicate").asInt(), "the re-sent copy");
        assertEquals(1, counts.get("rejected_by_reason").get("exact_copy").asInt());
        assertEquals(1, counts.get("rejected_by_reason").get("not_a_video").asInt());
        assertEquals(1, counts.get("rejected_by_reason").get("truncated_video").asInt());
        assertEquals(1, counts.get("rejected_by_reason").get("low_score").asInt(), "the garden: a tree, nobody in view");
        assertEquals(1, counts.get("rejected_by_reason").get("no_consent").asInt(), "the porch: its donor never granted consent");
        assertEquals(159 + 23, counts.get("frames_written").asInt());
        assertEquals(1, counts.get("accepted_by_label").get("staged").asInt(), "the driveway clip, declared staged");
        String modelSha = Hashing.sha256Hex(OnnxSessions.resource("/models/" + HeadDetector.MODEL, "build"));
        assertEquals(modelSha, v1.get("config").get("score_model_sha256").asText());

        // scores and labels in the manifests: every clip row the model scored names the model
        Path shards = warehouse.resolve("clips/shards");
        Map<String, ClipRow> clips = new HashMap<>();
        Map<String, List<FrameRow>> frames = new HashMap<>();
        try (var files = Files.walk(shards)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                if (f.getFileName().toString().startsWith("clips-")) {
                    for (ClipRow c : ManifestFiles.read(new org.apache.flink.core.fs.Path(f.toUri()), ClipRow.class)) {
                        clips.put(c.getClipId().replaceFirst("-[0-9a-f]{8}$", ""), c);
                    }
                } else {
                    for (FrameRow fr : ManifestFiles.read(new org.apache.flink.core.fs.Path(f.toUri()), FrameRow.class)) {
                        frames.computeIfAbsent(fr.getClipId().replaceFirst("-[0-9a-f]{8}$", ""), k -> new ArrayList<>()).add(fr);
                    }
                }
            }
        }
        ClipRow garden = clips.get("garden");
        assertTrue(garden.getClipScore() < 0.3f && garden.getReasonDetail().contains("person"), garden.toString());
        ClipRow staged = clips.get("driveway-staged");
        assertEquals("staged", staged.getStagedLabel(), staged.toString());
        assertTrue(staged.getStagedEvidence().stream().anyMatch(e -> e.startsWith("declared_staged")));
        ClipRow porch = clips.get("porch-no-consent");
        assertEquals("no_consent", porch.getReason());
        assertEquals(null, porch.getContainer(), "a clip without consent is never decoded");
        ClipRow street = clips.get("front-street");
        assertTrue(street.getConsentEvent().startsWith("donors.consent/0@"), street.toString());
        assertEquals(java.time.Instant.parse(v1.get("build").get("started_at").asText()).toEpochMilli(),
                java.time.Instant.parse(street.getConsentCheckedAt()).toEpochMilli(), "judged as of the build's start");
        assertTrue(street.getClipScore() > 0.3f, "people in view all along: " + street.getClipScore());
        assertEquals(modelSha, street.getScoreModelSha256());
        assertTrue(List.of("real", "uncertain").contains(street.getStagedLabel()), street.toString());
        for (FrameRow f : frames.get("front-street")) {
            assertTrue(f.getFrameScore() != null && f.getFrameScore() >= 0 && f.getFrameScore() <= 1, f.toString());
            assertEquals(street.getStagedLabel(), f.getStagedLabel());
            assertEquals(street.getStagedEvidence(), f.getStagedEvidence());
        }

        Path repo = Paths.get(System.getProperty("curate.repo.dir"));
        for (String donor : new String[] {"donor-0001", "donor-0002", "donor-0003", "donor-0004"}) {
            Process check = new ProcessBuilder("bash", repo.resolve("scripts/check-manifests").toString(),
                    "--warehouse", warehouse.toString(), "--forbid", donor)
                    .redirectErrorStream(true).start();
            String output = new String(check.getInputStream().readAllBytes());
            assertTrue(check.waitFor(10, TimeUnit.MINUTES));
            assertEquals(0, check.exitValue(), output);
            assertTrue(output.contains("PASS"), output);
        }

        // the version as COCO, read back by pycocotools: one image per frame, people with boxes and keypoints
        Path coco = warehouse.resolveSibling("coco-v1");
        CurateCliTest.Result export = CurateCliTest.run("export-coco", "--warehouse", warehouse.toString(), "--version", "1",
                "--out", coco.toString());
        assertEquals(0, export.exit(), export.err());
        long labelled = 0;
        for (List<FrameRow> rows : frames.values()) {
            for (FrameRow f : rows) {
                assertTrue(f.getDetections() != null, "every frame of this build carries its detections: " + f.getKey());
                labelled += f.getDetections().stream().filter(d -> d.getScore() >= 0.3f).count();
            }
        }
        assertTrue(labelled > 0, "the street clip's people");
        Process cocoCheck = new ProcessBuilder("bash", repo.resolve("scripts/check-coco").toString(), coco.toString())
                .redirectErrorStream(true).start();
        String cocoOut = new String(cocoCheck.getInputStream().readAllBytes());
        assertTrue(cocoCheck.waitFor(10, TimeUnit.MINUTES));
        assertEquals(0, cocoCheck.exitValue(), cocoOut);
        assertTrue(cocoOut.contains(String.format("coco: %d images, %d annotations, %d with keypoints, 0 problems",
                v1.get("totals").get("frames").asInt(), labelled, labelled)), cocoOut + export.out());

        // a second demo donates the same files again: all redeliveries, nothing curated twice
        CurateCliTest.Result again = CurateCliTest.run("demo", "--warehouse", warehouse.toString(), "--samples", samples);
        assertEquals(0, again.exit(), again.err());
        JsonNode v2 = AvroJson.MAPPER.readTree(warehouse.resolve("clips/versions/v000002.json").toFile());
        assertEquals(6, v2.get("counts").get("redelivered_dropped").asInt());
        // a clip refused for want of consent does not take its id: judged again, still without consent
        assertEquals(1, v2.get("counts").get("rejected_by_reason").get("no_consent").asInt());
        assertEquals(0, v2.get("counts").get("frames_written").asInt());
        assertEquals(v1.get("files").size() + 1, v2.get("files").size(), "v1's files and a clip manifest of one row");

        stewardship(warehouse, tmp, v1);
    }

    /**
     * A steward on the demo's warehouse, with nothing else running: audit, a donor revokes, purge, gc, the
     * donor's frames are in no file any more, and the report renders in Chromium.
     */
    private static void stewardship(Path warehouse, Path tmp, JsonNode v1) throws Exception {
        String w = warehouse.toString();
        CurateCliTest.Result audit = CurateCliTest.run("audit", "--warehouse", w);
        assertEquals(0, audit.exit(), audit.out() + audit.err());
        assertEquals(9, audit.out().split("\n  PASS ", -1).length - 1, audit.out());

        String pseudonym = new dev.clipcurate.pipeline.privacy.DonorPseudonymizer(
                Files.readString(warehouse.resolve(DemoCommand.DEMO_KEY_FILE)).trim().getBytes()).pseudonymize("donor-0002");
        Path shardsDir = warehouse.resolve("clips/shards");
        Map<Path, String> before = hashes(shardsDir);
        List<String> donorFrames = new ArrayList<>();
        for (FrameRow f : frameRows(shardsDir)) if (f.getDonorPseudonym().equals(pseudonym)) donorFrames.add(f.getKey());
        assertEquals(23, donorFrames.size(), "the driveway clip's frames");

        CurateCliTest.Result revoke = CurateCliTest.run("revoke", "--donor", "donor-0002", "--warehouse", w);
        assertEquals(0, revoke.exit(), revoke.err());
        CurateCliTest.Result stale = CurateCliTest.run("audit", "--warehouse", w);
        assertEquals(1, stale.exit(), stale.out());
        assertTrue(stale.out().contains("FAIL  no revoked donor"), stale.out());

        CurateCliTest.Result purge = CurateCliTest.run("purge", "--warehouse", w, "--landing", warehouse.resolve(".demo-landing").toString());
        assertEquals(0, purge.exit(), purge.out() + purge.err());
        assertTrue(!purge.out().contains("donor-0002"), "the raw donor id is not printed");
        JsonNode v3 = AvroJson.MAPPER.readTree(warehouse.resolve("clips/versions/v000003.json").toFile());
        assertEquals("purge", v3.get("build").get("mode").asText());
        assertEquals(1, v3.get("purge").get("accepted_clips_removed").asInt());
        assertEquals(3, v3.get("purge").get("clip_rows_removed").asInt(), "accepted, exact copy, not a video");
        assertEquals(23, v3.get("purge").get("frames_removed").asInt());
        assertEquals(v1.get("totals").get("frames").asInt() - 23, v3.get("totals").get("frames").asInt());
        JsonNode v2 = AvroJson.MAPPER.readTree(warehouse.resolve("clips/versions/v000002.json").toFile());
        assertEquals(v2.get("kafka_offsets"), v3.get("kafka_offsets"), "the next build continues where v2 ended");
        assertTrue(!Files.exists(warehouse.resolve(".demo-landing/driveway-staged.avi")), "the upload is deleted too");
        // copy-on-write: no file of the earlier versions changed; the rewritten ones are new files
        assertEquals(before, hashes(shardsDir).entrySet().stream().filter(e -> before.containsKey(e.getKey()))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        // v1's shard and frame manifest that held the donor's frames, and its clip manifests (one per subtask that
        // wrote rows): each rewritten without the donor, or dropped when the donor was all it held
        String v1Build = v1.get("build").get("id").asText();
        int rewritten = 0;
        for (JsonNode f : v3.get("files")) {
            if (!f.has("replaces")) continue;
            assertEquals(v1Build, f.get("build_id").asText(), "only v1's files held the donor: " + f);
            rewritten++;
        }
        // which subtask wrote the donor's clip rows varies from run to run: their manifest is rewritten, or dropped
        // when it held nothing else; either way no clip manifest of v3 lists the donor
        for (JsonNode f : v3.get("files")) {
            if (!"clip_manifest".equals(f.get("kind").asText())) continue;
            for (ClipRow row : ManifestFiles.read(new org.apache.flink.core.fs.Path(
                    warehouse.resolve("clips").resolve(f.get("path").asText()).toUri()), ClipRow.class)) {
                assertTrue(!pseudonym.equals(row.getDonorPseudonym()), "v3 still lists a clip of the donor: " + f);
            }
        }
        assertEquals(rewritten, v3.get("purge").get("files_rewritten").asInt());
        assertTrue(rewritten + v3.get("purge").get("files_dropped").asInt() >= 3, v3.get("purge").toString());
        for (JsonNode f : v3.get("files")) {
            if (!"frame_manifest".equals(f.get("kind").asText())) continue;
            for (FrameRow row : ManifestFiles.read(new org.apache.flink.core.fs.Path(
                    warehouse.resolve("clips").resolve(f.get("path").asText()).toUri()), FrameRow.class)) {
                assertTrue(!donorFrames.contains(row.getKey()), "v3 still lists a frame of the donor: " + f);
            }
        }
        String v2Build = v2.get("build").get("id").asText();
        for (JsonNode f : v2.get("files")) {
            if (!v2Build.equals(f.get("build_id").asText())) continue;
            boolean listedAsItWas = false;
            for (JsonNode g : v3.get("files")) listedAsItWas |= g.toString().equals(f.toString());
            assertTrue(listedAsItWas, "v2's own files did not hold the donor: listed as they were: " + f);
        }

        Path receipt;
        try (var files = Files.walk(warehouse.resolve("clips/receipts"))) {
            receipt = files.filter(p -> p.getFileName().toString().equals(pseudonym + ".json")).findFirst().orElseThrow();
        }
        JsonNode r = AvroJson.MAPPER.readTree(receipt.toFile());
        assertEquals(23, r.get("frames_removed").asInt());
        assertEquals(List.of("v000001", "v000002"), AvroJson.MAPPER.convertValue(r.get("versions_affected"), List.class));
        assertEquals(false, r.get("erasure_complete").asBoolean());
        assertTrue(Files.readString(receipt.resolveSibling(pseudonym + ".txt")).contains("23 frame(s)"));

        CurateCliTest.Result clean = CurateCliTest.run("audit", "--warehouse", w, "--html", tmp.resolve("report.html").toString());
        assertEquals(0, clean.exit(), clean.out());

        CurateCliTest.Result diff = CurateCliTest.run("diff", "--warehouse", w, "2", "3");
        assertEquals(0, diff.exit(), diff.err());
        assertTrue(diff.out().contains("removed (1)") && diff.out().contains("driveway-staged-"), diff.out());

        CurateCliTest.Result gc = CurateCliTest.run("gc", "--warehouse", w, "--retain", "1");
        assertEquals(0, gc.exit(), gc.out() + gc.err());
        JsonNode done = AvroJson.MAPPER.readTree(receipt.toFile());
        assertEquals(true, done.get("erasure_complete").asBoolean(), done.toString());
        // the donor's frames exist in no file of the dataset: no manifest row, no tar member, no JPEG of theirs
        for (FrameRow f : frameRows(shardsDir)) assertTrue(!f.getDonorPseudonym().equals(pseudonym), f.getKey());
        for (ClipRow c : clipRows(shardsDir)) assertTrue(!pseudonym.equals(c.getDonorPseudonym()), c.getClipId());
        try (var files = Files.walk(shardsDir)) {
            for (Path tar : files.filter(p -> p.toString().endsWith(".tar")).toList()) {
                try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
                    for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                        String key = dev.clipcurate.pipeline.shards.TarShards.sampleKey(e.getName());
                        assertTrue(!donorFrames.contains(key), tar + " still holds " + e.getName());
                    }
                }
            }
        }
        // what an ML engineer loads after the erasure: pyarrow and DuckDB read the purged version, no raw id in it
        Process check = new ProcessBuilder("bash", Paths.get(System.getProperty("curate.repo.dir"))
                .resolve("scripts/check-manifests").toString(), "--warehouse", w, "--forbid", "donor-0002")
                .redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes());
        assertTrue(check.waitFor(10, TimeUnit.MINUTES));
        assertEquals(0, check.exitValue(), checked);
        assertTrue(checked.contains("PASS"), checked);

        CurateCliTest.Result old = CurateCliTest.run("audit", "--warehouse", w, "--version", "1");
        assertEquals(1, old.exit(), old.out());
        assertTrue(old.out().contains("gc deleted this version's files"), old.out());
        CurateCliTest.Result after = CurateCliTest.run("audit", "--warehouse", w);
        assertEquals(0, after.exit(), after.out());
        CurateCliTest.Result gone = CurateCliTest.run("diff", "--warehouse", w, "2", "3");
        assertEquals(1, gone.exit());
        assertTrue(gone.err().contains("gc deleted the files of versions it did not retain"), gone.err());

        // the report, as a person sees it
        String page = Files.readString(tmp.resolve("report.html"));
        assertTrue(page.contains("All 9 checks passed") && page.contains("data:image/jpeg;base64,"), page.substring(0, 400));
        assertTrue(!page.contains(pseudonym) && !page.contains("http://") && !page.contains("https://"));
        Path png = dev.clipcurate.pipeline.testing.HeadlessChromium.screenshot(tmp.resolve("report.html"),
                Paths.get(System.getProperty("basedir", "."), "target", "demo-audit-report.png"), 1280, 3000);
        java.awt.image.BufferedImage shot = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(1280, shot.getWidth());
        int green = 0;
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < shot.getHeight(); y += 2) {
            for (int x = 0; x < shot.getWidth(); x += 2) {
                int rgb = shot.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (Math.abs((rgb >> 16) - 0x1a) < 8 && Math.abs(((rgb >> 8) & 0xff) - 0x7f) < 8 && Math.abs((rgb & 0xff) - 0x37) < 8) green++;
            }
        }
        assertTrue(green > 2000, "the green 'all checks passed' banner: " + green + " px");
        assertTrue(colours.size() > 2000, "frames of real footage on the contact sheet: " + colours.size() + " colours");

        // the audit notices tampering: one altered JPEG inside a shard, an edited parent version file
        Path tar;
        try (var files = Files.walk(shardsDir)) {
            tar = files.filter(p -> p.toString().endsWith(".tar")).findFirst().orElseThrow();
        }
        alterFirstJpeg(tar);
        Path v2File = warehouse.resolve("clips/versions/v000002.json");
        v2File.toFile().setWritable(true);
        Files.writeString(v2File, Files.readString(v2File) + "\n");
        CurateCliTest.Result tampered = CurateCliTest.run("audit", "--warehouse", w);
        assertEquals(1, tampered.exit(), tampered.out());
        for (String name : List.of("files present with their sha256", "jpg hashes match", "parent hash chain intact")) {
            assertTrue(tampered.out().contains("FAIL  " + name), name + ":\n" + tampered.out());
        }
        assertTrue(tampered.out().contains("PASS  tar members match"), tampered.out());
    }

    /** Rewrites a tar with one byte of its first JPEG changed, members and sizes as they were. */
    private static void alterFirstJpeg(Path tar) throws Exception {
        Path copy = tar.resolveSibling(tar.getFileName() + ".tmp");
        boolean altered = false;
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar));
             var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(Files.newOutputStream(copy))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] bytes = in.readAllBytes();
                if (!altered && e.getName().endsWith(".jpg")) {
                    bytes[bytes.length / 2] ^= 0x5a;
                    altered = true;
                }
                var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(e.getName());
                entry.setSize(bytes.length);
                out.putArchiveEntry(entry);
                out.write(bytes);
                out.closeArchiveEntry();
            }
        }
        Files.move(copy, tar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static Map<Path, String> hashes(Path dir) throws Exception {
        Map<Path, String> h = new java.util.TreeMap<>();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try (var in = Files.newInputStream(f)) {
                    h.put(f, Hashing.sha256Hex(in));
                }
            }
        }
        return h;
    }

    private static List<FrameRow> frameRows(Path dir) throws Exception {
        return manifestRows(dir, "frames-.+\\.parquet", FrameRow.class);
    }

    private static List<ClipRow> clipRows(Path dir) throws Exception {
        return manifestRows(dir, "clips-.+\\.parquet", ClipRow.class);
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> manifestRows(Path dir, String names,
                                                                                              Class<T> type) throws Exception {
        List<T> rows = new ArrayList<>();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches(names)).toList()) {
                rows.addAll(ManifestFiles.read(new org.apache.flink.core.fs.Path(f.toUri()), type));
            }
        }
        return rows;
    }
}
