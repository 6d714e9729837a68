package dev.clipcurate.pipeline.shards;

import dev.clipcurate.schemas.ClipRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Parquet manifests read back whole, and without a column that a reader does not need. */
class ManifestFilesTest {
    @Test
    void aSkippedColumnIsNotReadAndTheOthersAre(@TempDir Path tmp) throws Exception {
        org.apache.flink.core.fs.Path file = new org.apache.flink.core.fs.Path(tmp.resolve("clips.parquet").toUri());
        ClipRow row = ClipRow.newBuilder().setClipId("c1").setSha256("a".repeat(64)).setDecision("accepted")
                .setSourceTopic("t").setSourcePartition(0).setSourceOffset(7).setBuildId("b1")
                .setProcessedAt("2026-01-01T00:00:00Z").setFingerprint(ByteBuffer.wrap(new byte[40_000])).build();
        ManifestFiles.write(file, ClipRow.class, List.of(row));

        ClipRow whole = ManifestFiles.read(file, ClipRow.class).get(0);
        assertNotNull(whole.getFingerprint());
        assertEquals(40_000, whole.getFingerprint().remaining());

        ClipRow slim = ManifestFiles.readWithout(file, ClipRow.class, Set.of("fingerprint")).get(0);
        assertNull(slim.getFingerprint());
        assertEquals("c1", slim.getClipId());
        assertEquals("a".repeat(64), slim.getSha256());
        assertEquals(7L, slim.getSourceOffset());
    }
}
