package dev.clipcurate.pipeline.shards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.schemas.ClipRow;
import dev.clipcurate.schemas.FrameRow;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Seals the committed output of one finished build into the next dataset version.
 *
 * <p>It names the build's tar part files {@code frames-NNNNNN.tar}, writes each tar's frame manifest from the
 * tar's own {@code .json} members (so manifest and shard cannot disagree), names the clip manifests, checks
 * that every accepted clip's frames are present exactly once, and only then writes the version file and
 * moves {@code LATEST}. Anything that fails before the version file is written leaves no version behind.
 */
public final class VersionSealer {
    private static final Logger LOG = LoggerFactory.getLogger(VersionSealer.class);
    private final DatasetLayout layout;

    public VersionSealer(DatasetLayout layout) {
        this.layout = layout;
    }

    /** The outcome of a seal: the version written and its summary figures. */
    public record Sealed(int version, Path versionFile, ObjectNode document) {}

    public Sealed seal(BuildInfo build) throws IOException {
        try (DatasetLock ignored = DatasetLock.acquire(layout)) {
            return sealLocked(build);
        }
    }

    /** The newest sealed version's document, or null for a dataset without versions. */
    public JsonNode latest() throws IOException {
        Path latest = layout.latestFile();
        FileSystem fs = latest.getFileSystem();
        if (!fs.exists(latest)) return null;
        String name;
        try (FSDataInputStream in = fs.open(latest)) {
            name = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        Path file = new Path(layout.versionsDir(), name + ".json");
        try (FSDataInputStream in = fs.open(file)) {
            return AvroJson.MAPPER.readTree(in);
        }
    }

    private Sealed sealLocked(BuildInfo build) throws IOException {
        JsonNode parent = latest();
        String latestName = parent == null ? null : parent.get("name").asText();
        if (!java.util.Objects.equals(latestName, build.parent())) {
            // a purge (or another build) sealed meanwhile: this build judged consent and duplicates against an older
            // version and read the same offsets; sealing it on top could bring back a purged donor's clips
            throw new IOException(latestName + " was sealed while this build ran (on top of " + build.parent()
                    + "); nothing was sealed: run the build again, it starts from " + latestName);
        }
        int version = parent == null ? 1 : parent.get("version").asInt() + 1;
        Path buildDir = layout.buildDir(build.buildId());
        FileSystem fs = buildDir.getFileSystem();

        List<ObjectNode> newFiles = new ArrayList<>();
        Counts counts = new Counts();

        // Frames: tar part files in name order become frames-000000.tar, frames-000001.tar, ...
        List<Path> tars = committedParts(layout.stagingFrames(build.buildId()), ".tar");
        Set<String> keys = new HashSet<>();
        Map<String, Integer> framesPerClip = new HashMap<>();
        for (int i = 0; i < tars.size(); i++) {
            String shardName = String.format("frames-%06d.tar", i);
            Path target = new Path(buildDir, shardName);
            TarContents contents = readTar(tars.get(i), shardName);
            for (FrameRow row : contents.rows) {
                if (!keys.add(row.getKey())) throw new IOException("frame " + row.getKey() + " is written twice");
                framesPerClip.merge(row.getClipId(), 1, Integer::sum);
            }
            rename(fs, tars.get(i), target);
            newFiles.add(fileEntry(target, "frames", contents.size, contents.sha256, contents.rows.size()));
            Path manifest = new Path(buildDir, String.format("frames-%06d.parquet", i));
            ManifestFiles.write(manifest, FrameRow.class, contents.rows);
            newFiles.add(fileEntry(manifest, "frame_manifest", -1, null, contents.rows.size()));
            counts.frames += contents.rows.size();
        }

        // Clips: one manifest row per consumed message
        List<Path> clipParts = committedParts(layout.stagingClips(build.buildId()), ".parquet");
        Set<String> clipIds = new HashSet<>();
        Map<String, Integer> expectedFrames = new HashMap<>();
        for (int i = 0; i < clipParts.size(); i++) {
            List<ClipRow> rows = ManifestFiles.read(clipParts.get(i), ClipRow.class);
            for (ClipRow row : rows) {
                if (row.getClipId() != null && !Decisions.rejectedAtParsing(row) && !clipIds.add(row.getClipId())) {
                    throw new IOException("clip " + row.getClipId() + " has two manifest rows");
                }
                counts.add(row);
                if (Decisions.ACCEPTED.equals(row.getDecision())) {
                    expectedFrames.merge(row.getClipId(), row.getFramesWritten(), Integer::sum);
                }
            }
            Path target = new Path(buildDir, String.format("clips-%06d.parquet", i));
            rename(fs, clipParts.get(i), target);
            newFiles.add(fileEntry(target, "clip_manifest", -1, null, rows.size()));
        }
        // exactly once: every accepted clip's frames are in the shards, once, and no others are
        expectedFrames.values().removeIf(n -> n == 0);
        if (!expectedFrames.equals(framesPerClip)) {
            Set<String> differing = new java.util.TreeSet<>(expectedFrames.keySet());
            differing.addAll(framesPerClip.keySet());
            differing.removeIf(id -> java.util.Objects.equals(expectedFrames.get(id), framesPerClip.get(id)));
            String first = differing.iterator().next();
            throw new IOException(differing.size() + " clip(s) have other frames in the shards than their manifest "
                    + "rows say, e.g. " + first + ": " + framesPerClip.getOrDefault(first, 0) + " in the shards, "
                    + expectedFrames.getOrDefault(first, 0) + " expected");
        }
        fs.delete(new Path(buildDir, "_staging"), true);

        ObjectNode doc = document(build, version, parent, newFiles, counts);
        Path versionFile = layout.versionFile(version);
        writeNew(versionFile, AvroJson.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        replaceLatest(DatasetLayout.versionName(version));
        LOG.info("sealed {} with {} new files", versionFile, newFiles.size());
        return new Sealed(version, versionFile, doc);
    }

    private ObjectNode document(BuildInfo build, int version, JsonNode parent, List<ObjectNode> newFiles,
                                Counts counts) throws IOException {
        ObjectNode doc = AvroJson.MAPPER.createObjectNode();
        doc.put("format", "clip-curation/dataset-version@1");
        doc.put("dataset", layout.dataset());
        doc.put("version", version);
        doc.put("name", DatasetLayout.versionName(version));
        if (parent == null) {
            doc.putNull("parent");
            doc.putNull("parent_sha256");
        } else {
            doc.put("parent", parent.get("name").asText());
            doc.put("parent_sha256", versionSha256(parent.get("version").asInt()));
        }
        Instant now = Instant.now();
        doc.put("created_at", now.toString());
        ObjectNode b = doc.putObject("build");
        b.put("id", build.buildId());
        b.put("mode", build.mode());
        b.put("started_at", build.startedAt().toString());
        b.put("wall_seconds", Duration.between(build.startedAt(), now).toMillis() / 1000.0);
        ArrayNode args = b.putArray("args");
        build.args().forEach(args::add);
        ArrayNode offsets = doc.putArray("kafka_offsets");
        build.offsets().forEach((topic, parts) -> new TreeMap<>(parts).forEach((p, range) -> {
            ObjectNode o = offsets.addObject();
            o.put("topic", topic);
            o.put("partition", p);
            o.put("from", range[0]);
            o.put("to", range[1]);
        }));
        doc.put("code_version", build.codeVersion());
        doc.set("config", AvroJson.MAPPER.valueToTree(new TreeMap<>(build.config())));
        doc.put("config_sha256", Hashing.sha256Hex(AvroJson.MAPPER.writeValueAsBytes(doc.get("config"))));
        doc.set("models", AvroJson.MAPPER.valueToTree(new TreeMap<>(build.models())));

        long consumed = build.offsets().values().stream().flatMap(m -> m.values().stream())
                .mapToLong(r -> r[1] - r[0]).sum();
        ObjectNode c = doc.putObject("counts");
        c.put("messages_consumed", consumed);
        c.put("manifest_rows", counts.rows);
        c.put("redelivered_dropped", Math.max(0, consumed - counts.rows));
        c.put("clips_accepted", counts.accepted);
        c.put("clips_rejected", counts.rejected);
        c.put("clips_duplicate", counts.duplicate);
        c.put("clips_quarantined", counts.quarantined);
        c.set("rejected_by_reason", AvroJson.MAPPER.valueToTree(counts.byReason));
        c.set("accepted_by_label", AvroJson.MAPPER.valueToTree(counts.byLabel));
        c.put("frames_written", counts.frames);
        c.put("video_seconds_accepted", Math.round(counts.acceptedSeconds * 1000) / 1000.0);
        c.put("video_seconds_processed", Math.round(counts.processedSeconds * 1000) / 1000.0);

        ObjectNode totals = doc.putObject("totals");
        JsonNode parentTotals = parent == null ? null : parent.get("totals");
        totals.put("clips_accepted", counts.accepted + (parentTotals == null ? 0 : parentTotals.get("clips_accepted").asLong()));
        totals.put("frames", counts.frames + (parentTotals == null ? 0 : parentTotals.get("frames").asLong()));

        ArrayNode files = doc.putArray("files");
        if (parent != null) parent.get("files").forEach(f -> files.add(f.deepCopy()));
        for (ObjectNode f : newFiles) {
            f.put("build_id", build.buildId());
            files.add(f);
        }
        return doc;
    }

    /** A version file's entry for a file under the dataset: size and sha256 are read when not known (-1, null). */
    public ObjectNode fileEntry(Path file, String kind, long knownSize, String knownSha, int rows) throws IOException {
        FileSystem fs = file.getFileSystem();
        long size = knownSize >= 0 ? knownSize : fs.getFileStatus(file).getLen();
        String sha = knownSha;
        if (sha == null) {
            try (FSDataInputStream in = fs.open(file)) {
                sha = Hashing.sha256Hex(in);
            }
        }
        ObjectNode entry = AvroJson.MAPPER.createObjectNode();
        entry.put("path", layout.relative(file));
        entry.put("kind", kind);
        entry.put("size", size);
        entry.put("sha256", sha);
        entry.put("rows", rows);
        return entry;
    }


    private record TarContents(List<FrameRow> rows, long size, String sha256) {}

    /** Hashes the tar while reading it and checks every frame's JPEG against the hash in its labels. */
    private static TarContents readTar(Path tar, String shardName) throws IOException {
        FileSystem fs = tar.getFileSystem();
        MessageDigest digest = Hashing.sha256();
        List<FrameRow> rows = new ArrayList<>();
        Map<String, String> jpgHashes = new HashMap<>();
        try (FSDataInputStream raw = fs.open(tar);
             DigestInputStream hashed = new DigestInputStream(raw, digest);
             TarArchiveInputStream in = new TarArchiveInputStream(hashed)) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                String name = e.getName();
                if (name.endsWith(".json")) {
                    FrameRow row;
                    try {
                        row = AvroJson.toRecord(AvroJson.MAPPER.readTree(bytes), FrameRow.class);
                    } catch (AvroJson.SchemaViolation v) {
                        throw new IOException("bad labels " + name + " in " + tar + ": " + v.getMessage());
                    }
                    row.setShard(shardName);
                    rows.add(row);
                } else if (name.endsWith(".jpg")) {
                    jpgHashes.put(name.substring(0, name.length() - 4), Hashing.sha256Hex(bytes));
                }
            }
            hashed.transferTo(java.io.OutputStream.nullOutputStream());
        }
        for (FrameRow row : rows) {
            if (!row.getJpgSha256().equals(jpgHashes.get(row.getKey()))) {
                throw new IOException("frame " + row.getKey() + " in " + tar + " does not match its jpg_sha256");
            }
        }
        if (jpgHashes.size() != rows.size()) throw new IOException(tar + " has images without labels");
        return new TarContents(rows, fs.getFileStatus(tar).getLen(), HexFormat.of().formatHex(digest.digest()));
    }

    /**
     * Per partition of {@code topic}, the offset after the last message a build's committed clip manifests have a row
     * for: how far a drained run read (every consumed message gets a row, but a redelivery that was dropped).
     */
    public static Map<Integer, Long> nextOffsets(Path stagingClips, String topic) throws IOException {
        Map<Integer, Long> next = new HashMap<>();
        for (Path part : committedParts(stagingClips, ".parquet")) {
            for (ClipRow row : ManifestFiles.read(part, ClipRow.class)) {
                if (!topic.equals(row.getSourceTopic())) continue;
                next.merge(row.getSourcePartition(), row.getSourceOffset() + 1, Math::max);
            }
        }
        return next;
    }

    /** Committed FileSink parts only: in-progress and pending files are hidden (names start with '.'). */
    private static List<Path> committedParts(Path dir, String suffix) throws IOException {
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) return List.of();
        FileStatus[] statuses = fs.listStatus(dir);
        if (statuses == null) return List.of();
        return Arrays.stream(statuses)
                .filter(s -> !s.isDir())
                .map(FileStatus::getPath)
                .filter(p -> !p.getName().startsWith(".") && p.getName().endsWith(suffix))
                .sorted((a, b) -> a.getName().compareTo(b.getName()))
                .toList();
    }

    private static void rename(FileSystem fs, Path from, Path to) throws IOException {
        if (fs.exists(to)) throw new IOException(to + " already exists");
        if (!fs.rename(from, to)) throw new IOException("cannot rename " + from + " to " + to);
    }

    /** Version files are immutable: written once under a temporary name, then linked into place. */
    private static void writeNew(Path file, byte[] bytes) throws IOException {
        FileSystem fs = file.getFileSystem();
        if (fs.exists(file)) throw new IOException(file + " already exists: versions are immutable");
        Path temp = new Path(file.getParent(), "." + file.getName() + ".tmp");
        try (FSDataOutputStream out = fs.create(temp, FileSystem.WriteMode.OVERWRITE)) {
            out.write(bytes);
        }
        if (!fs.rename(temp, file)) throw new IOException("cannot move " + temp + " to " + file);
        if ("file".equals(file.toUri().getScheme())) {
            new java.io.File(file.toUri()).setReadOnly();
        }
    }

    /** LATEST is replaced by an atomic rename, so readers see either the old or the new name. */
    private void replaceLatest(String versionName) throws IOException {
        Path latest = layout.latestFile();
        FileSystem fs = latest.getFileSystem();
        Path temp = new Path(latest.getParent(), ".LATEST.tmp");
        try (FSDataOutputStream out = fs.create(temp, FileSystem.WriteMode.OVERWRITE)) {
            out.write((versionName + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if ("file".equals(latest.toUri().getScheme())) {
            java.nio.file.Files.move(java.nio.file.Paths.get(temp.toUri()), java.nio.file.Paths.get(latest.toUri()),
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else {
            fs.delete(latest, false);
            if (!fs.rename(temp, latest)) throw new IOException("cannot move " + temp + " to " + latest);
        }
    }

    private static final class Counts {
        long rows;
        long accepted;
        long rejected;
        long duplicate;
        long quarantined;
        long frames;
        double acceptedSeconds;
        double processedSeconds;
        final Map<String, Long> byReason = new TreeMap<>();
        final Map<String, Long> byLabel = new TreeMap<>();

        void add(ClipRow row) {
            rows++;
            double seconds = row.getDurationS() == null ? 0 : row.getDurationS();
            switch (row.getDecision()) {
                case Decisions.ACCEPTED -> {
                    accepted++;
                    acceptedSeconds += seconds;
                    if (row.getStagedLabel() != null) byLabel.merge(row.getStagedLabel(), 1L, Long::sum);
                }
                case Decisions.DUPLICATE -> duplicate++;
                case Decisions.QUARANTINED -> quarantined++;
                default -> rejected++;
            }
            if (row.getContainer() != null) processedSeconds += seconds;
            if (row.getReason() != null) byReason.merge(row.getReason(), 1L, Long::sum);
        }
    }

    /**
     * Writes a version document made elsewhere (a purge) as the next version and moves LATEST to it. The caller
     * holds the dataset's lock and made the document from the version that is latest under that lock.
     */
    public Sealed publish(ObjectNode doc) throws IOException {
        int version = doc.get("version").asInt();
        Path versionFile = layout.versionFile(version);
        writeNew(versionFile, AvroJson.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        replaceLatest(DatasetLayout.versionName(version));
        return new Sealed(version, versionFile, doc);
    }

    /** The sha256 of a sealed version's file, as the next version records it in parent_sha256. */
    public String versionSha256(int version) throws IOException {
        Path file = layout.versionFile(version);
        try (FSDataInputStream in = file.getFileSystem().open(file)) {
            return Hashing.sha256Hex(in);
        }
    }

    /** One build seals at a time per dataset (local warehouses; object stores rely on the scheduler). */
    public static final class DatasetLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private DatasetLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        public static DatasetLock acquire(DatasetLayout layout) throws IOException {
            Path dir = layout.datasetDir();
            dir.getFileSystem().mkdirs(layout.versionsDir());
            if (!"file".equals(dir.toUri().getScheme())) return new DatasetLock(null, null);
            java.nio.file.Path lockFile = java.nio.file.Paths.get(dir.toUri()).resolve(".lock");
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new IOException("another build or purge is sealing " + dir + " right now; try again when it has finished");
            }
            return new DatasetLock(channel, lock);
        }

        @Override
        public void close() throws IOException {
            if (lock != null) lock.release();
            if (channel != null) channel.close();
        }
    }
}
