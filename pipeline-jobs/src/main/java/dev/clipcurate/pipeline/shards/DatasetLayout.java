package dev.clipcurate.pipeline.shards;

import org.apache.flink.core.fs.Path;

import java.io.Serializable;

/**
 * Where a dataset's files live under the warehouse:
 * <pre>
 * &lt;warehouse&gt;/&lt;dataset&gt;/LATEST                          name of the newest sealed version
 * &lt;warehouse&gt;/&lt;dataset&gt;/versions/v000001.json            sealed, immutable version files
 * &lt;warehouse&gt;/&lt;dataset&gt;/shards/&lt;build-id&gt;/frames-000000.tar    WebDataset shards
 * &lt;warehouse&gt;/&lt;dataset&gt;/shards/&lt;build-id&gt;/frames-000000.parquet frame manifest of that shard
 * &lt;warehouse&gt;/&lt;dataset&gt;/shards/&lt;build-id&gt;/clips-000000.parquet  clip manifest
 * &lt;warehouse&gt;/&lt;dataset&gt;/shards/&lt;build-id&gt;/_staging/           FileSink output before sealing
 * &lt;warehouse&gt;/&lt;dataset&gt;/_decoding/&lt;sha256&gt;                 a clip being decoded (a crash leaves it)
 * </pre>
 */
public record DatasetLayout(String warehouse, String dataset) implements Serializable {

    /** Qualifies a scheme-less warehouse path as an absolute file: URI, so every path derived from it is too. */
    public DatasetLayout {
        if (new Path(warehouse).toUri().getScheme() == null) {
            warehouse = java.nio.file.Paths.get(warehouse).toAbsolutePath().normalize().toUri().toString();
        }
        if (dataset == null || !dataset.matches("[A-Za-z0-9_.-]+") || dataset.startsWith(".")) {
            throw new IllegalArgumentException("dataset name must be letters, digits, '_', '-' or '.': " + dataset);
        }
    }

    public Path datasetDir() {
        return new Path(warehouse, dataset);
    }

    public Path versionsDir() {
        return new Path(datasetDir(), "versions");
    }

    public Path latestFile() {
        return new Path(datasetDir(), "LATEST");
    }

    public Path versionFile(int version) {
        return new Path(versionsDir(), versionName(version) + ".json");
    }

    /** Markers of clips being decoded ({@code DecodeGuard}): a marker that outlives its process names a crash. */
    public Path decodingDir() {
        return new Path(datasetDir(), "_decoding");
    }

    public Path buildDir(String buildId) {
        return new Path(new Path(datasetDir(), "shards"), buildId);
    }

    public Path stagingFrames(String buildId) {
        return new Path(new Path(buildDir(buildId), "_staging"), "frames");
    }

    public Path stagingClips(String buildId) {
        return new Path(new Path(buildDir(buildId), "_staging"), "clips");
    }

    /** A path under the dataset directory as version files list it: relative to the dataset directory. */
    public String relative(Path file) {
        String base = datasetDir().toUri().getPath();
        String p = file.toUri().getPath();
        return p.startsWith(base + "/") ? p.substring(base.length() + 1) : p;
    }

    public static String versionName(int version) {
        return String.format("v%06d", version);
    }
}
