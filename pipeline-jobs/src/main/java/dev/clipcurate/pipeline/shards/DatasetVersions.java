package dev.clipcurate.pipeline.shards;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Reads a dataset's sealed versions and what they list, for the commands that inspect a warehouse. */
public final class DatasetVersions {
    private final DatasetLayout layout;

    public DatasetVersions(DatasetLayout layout) {
        this.layout = layout;
    }

    /** Every sealed version's document, oldest first; an error that says what to do when there is no dataset. */
    public List<JsonNode> all() throws IOException {
        Path dir = layout.versionsDir();
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) {
            throw new IOException("no dataset '" + layout.dataset() + "' in " + layout.warehouse()
                    + ": check --warehouse and --dataset (scripts/curate demo makes one)");
        }
        List<JsonNode> versions = new ArrayList<>();
        for (FileStatus f : fs.listStatus(dir)) {
            if (f.getPath().getName().matches("v\\d{6}\\.json")) versions.add(read(f.getPath()));
        }
        versions.sort(Comparator.comparingInt(v -> v.get("version").asInt()));
        return versions;
    }

    /** The newest sealed version (LATEST); an error that says what to do when there is none. */
    public JsonNode latest() throws IOException {
        JsonNode latest = new VersionSealer(layout).latest();
        if (latest != null) return latest;
        all(); // says what to do when there is no dataset at all
        throw new IOException("dataset '" + layout.dataset() + "' has no sealed version yet (scripts/curate build or demo seals one)");
    }

    /** One version by name (v000002) or number (2). */
    public JsonNode version(String nameOrNumber) throws IOException {
        int n;
        try {
            n = Integer.parseInt(nameOrNumber.replaceFirst("^v0*(?=\\d)", ""));
        } catch (NumberFormatException e) {
            throw new IOException("'" + nameOrNumber + "' is not a version: give a name like v000002 or a number like 2");
        }
        Path file = layout.versionFile(n);
        if (!file.getFileSystem().exists(file)) {
            throw new IOException("dataset '" + layout.dataset() + "' has no version " + DatasetLayout.versionName(n)
                    + " (scripts/curate versions lists them)");
        }
        return read(file);
    }

    /** The clip manifests a version lists, as paths. */
    public List<Path> clipManifests(JsonNode version) {
        List<Path> manifests = new ArrayList<>();
        if (version == null) return manifests;
        for (JsonNode f : version.get("files")) {
            if ("clip_manifest".equals(f.get("kind").asText())) manifests.add(new Path(layout.datasetDir(), f.get("path").asText()));
        }
        return manifests;
    }

    /** Every clip row of a version, without the dedup fingerprints. */
    public List<ClipRow> clipRows(JsonNode version) throws IOException {
        List<ClipRow> rows = new ArrayList<>();
        for (Path p : clipManifests(version)) {
            if (!p.getFileSystem().exists(p)) {
                throw new IOException(version.get("name").asText() + " lists " + layout.relative(p) + ", which is gone: "
                        + "gc deleted the files of versions it did not retain (see " + layout.dataset() + "/gc/); "
                        + "use a retained version");
            }
            rows.addAll(ManifestFiles.readWithout(p, ClipRow.class, Set.of("fingerprint")));
        }
        return rows;
    }

    private static JsonNode read(Path file) throws IOException {
        try (FSDataInputStream in = file.getFileSystem().open(file)) {
            return AvroJson.MAPPER.readTree(in);
        }
    }
}
