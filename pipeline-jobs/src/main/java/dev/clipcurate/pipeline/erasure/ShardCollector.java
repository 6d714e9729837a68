package dev.clipcurate.pipeline.erasure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.job.RunRegistry;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import dev.clipcurate.pipeline.shards.VersionSealer;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Deletes the shard and manifest files that no retained version lists. Only files some sealed version listed are
 * candidates, so the output of a build still running is never touched. The version files stay (they hold no
 * frames and keep the hash chain); a version whose files were collected is recorded in {@code gc/<id>.json}.
 */
public final class ShardCollector {
    private final DatasetLayout layout;

    public ShardCollector(DatasetLayout layout) {
        this.layout = layout;
    }

    /**
     * @param orphans build directories no version lists: the output of a build running now, or of one that died
     *                (its staged frames included); deleted only when asked to
     */
    public record Result(String gcId, List<String> retained, List<String> versionsCollected, List<String> deleted,
                         long bytesFreed, List<Path> receiptsCompleted, Path record, List<String> orphans) {}

    public Result collect(int retain, boolean dryRun) throws IOException {
        return collect(retain, dryRun, false);
    }

    /** @param deleteOrphans also delete build directories no version lists: only while no build runs */
    public Result collect(int retain, boolean dryRun, boolean deleteOrphans) throws IOException {
        if (retain < 1) throw new IllegalArgumentException("--retain must keep at least the latest version (1 or more)");
        try (VersionSealer.DatasetLock ignored = VersionSealer.DatasetLock.acquire(layout)) {
            return collectLocked(retain, dryRun, deleteOrphans);
        }
    }

    private Result collectLocked(int retain, boolean dryRun, boolean deleteOrphans) throws IOException {
        List<JsonNode> versions = new DatasetVersions(layout).all();
        int keepFrom = Math.max(0, versions.size() - retain);
        Set<String> referenced = new HashSet<>();
        List<String> retained = new ArrayList<>();
        for (JsonNode v : versions.subList(keepFrom, versions.size())) {
            retained.add(v.get("name").asText());
            v.get("files").forEach(f -> referenced.add(f.get("path").asText()));
        }
        Set<String> candidates = new TreeSet<>();
        List<String> collected = new ArrayList<>();
        for (JsonNode v : versions.subList(0, keepFrom)) {
            boolean loses = false;
            for (JsonNode f : v.get("files")) {
                String path = f.get("path").asText();
                if (!referenced.contains(path)) {
                    candidates.add(path);
                    loses = true;
                }
            }
            if (loses) collected.add(v.get("name").asText());
        }

        FileSystem fs = layout.datasetDir().getFileSystem();
        List<String> deleted = new ArrayList<>();
        long bytes = 0;
        for (String path : candidates) {
            Path file = new Path(layout.datasetDir(), path);
            if (!fs.exists(file)) continue;
            long size = fs.getFileStatus(file).getLen();
            if (!dryRun && !fs.delete(file, false)) throw new IOException("cannot delete " + file);
            deleted.add(path);
            bytes += size;
        }
        // build directories that no version lists, and the drain savepoints of runs sealed since
        Set<String> listedDirs = new HashSet<>();
        for (JsonNode v : versions) {
            v.get("files").forEach(f -> {
                String dir = DatasetLayout.buildDirOf(f.get("path").asText());
                if (dir != null) listedDirs.add(dir);
            });
        }
        List<String> orphans = new ArrayList<>();
        // a live run's files, and those of a run that died and will be resumed, belong to that run
        Set<String> owned = new HashSet<>();
        for (RunRegistry.Run run : new RunRegistry(layout).all()) {
            if (run.live() || run.checkpoint() != null) owned.add("shards/" + run.build().buildId());
        }
        Path shards = new Path(layout.datasetDir(), "shards");
        if (fs.exists(shards)) {
            for (FileStatus build : fs.listStatus(shards)) {
                String dir = "shards/" + build.getPath().getName();
                if (build.isDir() && !listedDirs.contains(dir) && !owned.contains(dir)) orphans.add(dir);
            }
        }
        Instant now = Instant.now();
        String gcId = "gc-" + dev.clipcurate.pipeline.job.CurationRunner.newBuildId(now);
        if (dryRun) return new Result(gcId, retained, collected, deleted, bytes, List.of(), null, orphans);

        if (deleteOrphans) {
            for (String dir : orphans) {
                fs.delete(new Path(layout.datasetDir(), dir), true);
                deleted.add(dir + "/");
            }
        }
        deleteSealedSavepoints(fs, versions);
        removeEmptyBuildDirs(fs, owned);
        List<Path> completed = new ErasureReceipts(layout).completeAfterDeletion(new HashSet<>(deleted), gcId, now);
        ObjectNode record = AvroJson.MAPPER.createObjectNode();
        record.put("gc_id", gcId);
        record.put("at", now.toString());
        record.put("retain", retain);
        ArrayNode r = record.putArray("retained_versions");
        retained.forEach(r::add);
        ArrayNode c = record.putArray("versions_collected");
        collected.forEach(c::add);
        ArrayNode d = record.putArray("files_deleted");
        deleted.forEach(d::add);
        record.put("bytes_freed", bytes);
        Path file = new Path(new Path(layout.datasetDir(), "gc"), gcId + ".json");
        fs.mkdirs(file.getParent());
        try (FSDataOutputStream out = fs.create(file, FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(AvroJson.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(record));
        }
        return new Result(gcId, retained, collected, deleted, bytes, completed, file, deleteOrphans ? List.of() : orphans);
    }

    /**
     * A drained streaming run leaves its final savepoint (keyed state: fingerprints, pseudonyms) behind; no run
     * restores from one taken before the latest seal, since each run starts from the sealed offsets.
     */
    private void deleteSealedSavepoints(FileSystem fs, List<JsonNode> versions) throws IOException {
        Path savepoints = new Path(layout.datasetDir(), ".savepoints");
        if (versions.isEmpty() || !fs.exists(savepoints)) return;
        long sealed = Instant.parse(versions.get(versions.size() - 1).get("created_at").asText()).toEpochMilli();
        for (FileStatus s : fs.listStatus(savepoints)) {
            if (s.getModificationTime() < sealed) fs.delete(s.getPath(), true);
        }
    }

    /** Versions whose files gc deleted, by name, from the gc records: for the commands that read versions. */
    public Set<String> collectedVersions() throws IOException {
        Set<String> names = new TreeSet<>();
        Path dir = new Path(layout.datasetDir(), "gc");
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) return names;
        for (FileStatus f : fs.listStatus(dir)) {
            if (!f.getPath().getName().endsWith(".json")) continue;
            ErasureReceipts.read(f.getPath()).get("versions_collected").forEach(v -> names.add(v.asText()));
        }
        return names;
    }

    private void removeEmptyBuildDirs(FileSystem fs, Set<String> owned) throws IOException {
        Path shards = new Path(layout.datasetDir(), "shards");
        if (!fs.exists(shards)) return;
        for (FileStatus build : fs.listStatus(shards)) {
            if (!build.isDir() || owned.contains("shards/" + build.getPath().getName())) continue;
            // a build's part files live in frames/ and clips/ below it
            for (FileStatus sub : fs.listStatus(build.getPath())) {
                FileStatus[] inside = sub.isDir() ? fs.listStatus(sub.getPath()) : null;
                if (inside != null && inside.length == 0) fs.delete(sub.getPath(), false);
            }
            FileStatus[] left = fs.listStatus(build.getPath());
            if (left == null || left.length == 0) fs.delete(build.getPath(), false);
        }
    }
}
