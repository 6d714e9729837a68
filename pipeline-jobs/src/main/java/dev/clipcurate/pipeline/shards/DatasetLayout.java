package dev.clipcurate.pipeline.shards;

import org.apache.flink.core.fs.Path;

import java.io.Serializable;

/**
 * Where a dataset's files live under the warehouse:
 * <pre>
 * &lt;warehouse&gt;/&lt;dataset&gt;/LATEST                          name of the newest sealed version
 * &lt;warehouse&gt;/&lt;dataset&gt;/versions/v000001.json            sealed, immutable version files
 * &lt;warehouse&gt;/&lt;dataset&gt;/shards/&lt;build-id&gt;/frames/frames-*.tar     WebDataset shards (FileSink part files)
 * &lt;warehouse&gt;/&lt;dataset&gt;/shards/&lt;build-id&gt;/frames/frames-*.parquet frame manifest of that shard
 * &lt;warehouse&gt;/&lt;dataset&gt;/shards/&lt;build-id&gt;/clips/clips-*.parquet   clip manifests
 * &lt;warehouse&gt;/&lt;dataset&gt;/runs/&lt;build-id&gt;.json                a run in progress, or one that died
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

    /**
     * Where a build's FileSink writes its tar shards. A committed part file stays where it was committed: a version
     * lists it there, so sealing moves nothing and a seal that is repeated after a restore finds every file again.
     */
    public Path framesDir(String buildId) {
        return new Path(buildDir(buildId), "frames");
    }

    /** Where a build's FileSink writes its clip manifests. */
    public Path clipsDir(String buildId) {
        return new Path(buildDir(buildId), "clips");
    }

    /** Records of runs in progress (and of runs that died without ending): see {@code RunRegistry}. */
    public Path runsDir() {
        return new Path(datasetDir(), "runs");
    }

    /** Where a build's checkpoints go: one directory per build, so a restarted run finds its own. */
    public Path checkpointsDir(String buildId) {
        return new Path(new Path(datasetDir(), ".checkpoints"), buildId);
    }

    /** The build directory a dataset-relative file path lies in ({@code shards/<build-id>}), or null. */
    public static String buildDirOf(String relativePath) {
        String[] parts = relativePath.split("/");
        return parts.length >= 3 && parts[0].equals("shards") ? parts[0] + "/" + parts[1] : null;
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
