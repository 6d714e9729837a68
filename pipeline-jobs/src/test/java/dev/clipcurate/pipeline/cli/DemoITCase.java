package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.common.OnnxSessions;
import dev.clipcurate.pipeline.scoring.ScoringSettings;
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
        String modelSha = Hashing.sha256Hex(OnnxSessions.resource(ScoringSettings.BUNDLED_MODEL, "build"));
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
        assertTrue(street.getClipScore() > 0.6f, street.toString());
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

        // a second demo donates the same files again: all redeliveries, nothing curated twice
        CurateCliTest.Result again = CurateCliTest.run("demo", "--warehouse", warehouse.toString(), "--samples", samples);
        assertEquals(0, again.exit(), again.err());
        JsonNode v2 = AvroJson.MAPPER.readTree(warehouse.resolve("clips/versions/v000002.json").toFile());
        assertEquals(7, v2.get("counts").get("redelivered_dropped").asInt());
        assertEquals(0, v2.get("counts").get("frames_written").asInt());
        assertEquals(v1.get("files").size(), v2.get("files").size());
    }
}
