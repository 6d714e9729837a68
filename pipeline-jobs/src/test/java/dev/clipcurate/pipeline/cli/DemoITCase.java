package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.common.AvroJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
        assertEquals(6, counts.get("messages_consumed").asInt());
        assertEquals(3, counts.get("clips_accepted").asInt());
        assertEquals(1, counts.get("clips_duplicate").asInt(), "the re-sent copy");
        assertEquals(1, counts.get("rejected_by_reason").get("exact_copy").asInt());
        assertEquals(1, counts.get("rejected_by_reason").get("not_a_video").asInt());
        assertEquals(1, counts.get("rejected_by_reason").get("truncated_video").asInt());
        assertEquals(159 + 23 + 58, counts.get("frames_written").asInt());

        Path repo = Paths.get(System.getProperty("curate.repo.dir"));
        for (String donor : new String[] {"donor-0001", "donor-0002", "donor-0003"}) {
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
        assertEquals(6, v2.get("counts").get("redelivered_dropped").asInt());
        assertEquals(0, v2.get("counts").get("frames_written").asInt());
        assertEquals(v1.get("files").size(), v2.get("files").size());
    }
}
