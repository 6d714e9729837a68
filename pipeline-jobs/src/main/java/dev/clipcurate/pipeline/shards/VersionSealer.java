package dev.clipcurate.pipeline.shards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.erasure.ErasureReceipts;
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
 * Seals committed part files of a running or finished build into the next dataset version; the job's
 * {@link VersionCommitter} calls it for the files that checkpoints committed (issue 16).
 *
 * <p>Files stay where the FileSink committed them. Each tar's frame manifest is written beside it from the tar's own
 * {@code .json} members (so manifest and shard cannot disagree); every accepted clip's frames must be present
 * exactly once; only then the version file is written and {@code LATEST} moved. A seal that fails before the
 * version file is written leaves no version behind, and one repeated after a restore (the version records the
 * checkpoint it sealed, as Apache Iceberg's Flink sink records its checkpoint in the snapshot) is skipped.
 */
public final class VersionSealer {
    private static final Logger LOG = LoggerFactory.getLogger(VersionSealer.class);
    private final DatasetLayout layout;

    public VersionSealer(DatasetLayout layout) {
        this.layout = layout;
    }

    /** Report kinds of the two sinks whose files a version lists. */
    public static final String FRAMES = "frames";
    public static final String CLIP_MANIFEST = "clip_manifest";

    /** The files of a seal do not agree yet (an accepted clip's frames are not all there): nothing was sealed. */
    public static final class Incomplete extends IOException {
        Incomplete(String message) {
            super(message);
        }
    }

    /** The outcome of a seal: the version written and its summary figures. */
    public record Sealed(int version, Path versionFile, ObjectNode document) {}

    /**
     * The committed files of one seal.
     *
     * @param checkpointId the newest checkpoint whose files are all among these
     * @param end          the build's input has ended: the Kafka range closes at the highest offset read
     */
    public record Seal(List<Path> tars, List<Path> clipManifests, long checkpointId, boolean end) {}

    /** Seals the files as the next version; null when a version of this build already sealed that checkpoint. */
    public Sealed seal(BuildInfo build, Seal seal) throws IOException {
        // a steward's purge or gc may hold the lock for a while: a running job waits rather than fails
        try (DatasetLock ignored = DatasetLock.acquire(layout, Duration.ofMinutes(5))) {
            return sealLocked(build, seal);
        }
    }

    /**
     * Seals the committed part files of an ended build that no version lists yet. The job's committer seals a
     * checkpoint once its files are reported, but the files the final checkpoint commits (a drained run, a bounded
     * stream) are reported while the tasks shut down and may never reach it: the process that ran the job seals them
     * here, after the job has finished. Null when there are none.
     */
    public Sealed sealLeftover(BuildInfo build) throws IOException {
        List<Path> tars = committedParts(layout.framesDir(build.buildId()), ".tar");
        List<Path> clips = committedParts(layout.clipsDir(build.buildId()), ".parquet");
        if (tars.isEmpty() && clips.isEmpty()) return null;
        JsonNode own = newestOf(build.buildId());
        long checkpoint = own == null ? 0 : own.path("build").path("checkpoint_id").asLong(0);
        return seal(build, new Seal(tars, clips, checkpoint, true));
    }

    /** Committed FileSink parts (in-progress and pending files are hidden: names start with '.'), not erased copies. */
    private static List<Path> committedParts(Path dir, String suffix) throws IOException {
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) return List.of();
        FileStatus[] statuses = fs.listStatus(dir);
        if (statuses == null) return List.of();
        return Arrays.stream(statuses)
                .filter(st -> !st.isDir())
                .map(FileStatus::getPath)
                .filter(p -> !p.getName().startsWith(".") && p.getName().endsWith(suffix)
                        && !p.getName().endsWith("-erased" + suffix))
                .toList();
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

    /**
     * The newest version a build sealed (a streaming run seals several), or null. Walks back from LATEST, and stops
     * at versions older than the build (its id begins with its start time), so a long chain is not read each time.
     */
    public JsonNode newestOf(String buildId) throws IOException {
        Instant startedAt = startOf(buildId);
        for (JsonNode v = latest(); v != null; ) {
            if (buildId.equals(v.path("build").path("id").asText())) return v;
            if (startedAt != null && Instant.parse(v.get("created_at").asText()).isBefore(startedAt)) return null;
            int n = v.get("version").asInt() - 1;
            v = n >= 1 && layout.versionFile(n).getFileSystem().exists(layout.versionFile(n)) ? readVersion(n) : null;
        }
        return null;
    }

    /** The start time a build id begins with ({@code 20261203T155131Z-…}), or null for other ids. */
    private static Instant startOf(String buildId) {
        if (!buildId.matches("\\d{8}T\\d{6}Z-.*")) return null;
        return java.time.LocalDateTime.parse(buildId.substring(0, 16),
                java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")).toInstant(java.time.ZoneOffset.UTC);
    }

    private Sealed sealLocked(BuildInfo build, Seal seal) throws IOException {
        JsonNode parent = latest();
        JsonNode own = newestOf(build.buildId());
        List<JsonNode> sealedMeanwhile = sealedSince(build, own, parent);
        checkNoOtherBuildSealed(build, own, parent, sealedMeanwhile);
        // a seal repeated after a restore: the files a version of this build already listed are not sealed again
        Set<String> listed = listedSince(own, parent, sealedMeanwhile);
        seal = new Seal(unlisted(seal.tars(), listed, ".tar"), unlisted(seal.clipManifests(), listed, ".parquet"),
                seal.checkpointId(), seal.end());
        if (seal.tars().isEmpty() && seal.clipManifests().isEmpty()) {
            LOG.info("checkpoint {} of build {} is sealed already", seal.checkpointId(), build.buildId());
            return null;
        }
        int version = parent == null ? 1 : parent.get("version").asInt() + 1;
        FileSystem fs = layout.datasetDir().getFileSystem();

        List<ObjectNode> newFiles = new ArrayList<>();
        Counts counts = new Counts();
        // donors a purge erased while this build ran: their rows and frames still in its committed files stay out
        Set<String> erased = erasedSince(build, parent);
        List<Path> holdingErased = new ArrayList<>();

        // Frames: each tar part file gets its frame manifest beside it
        Set<String> keys = new HashSet<>();
        Map<String, Integer> framesPerClip = new HashMap<>();
        for (Path committed : sorted(seal.tars())) {
            Path tar = withoutErased(committed, ".tar");
            TarContents contents = readTar(tar, tar.getName());
            Set<String> dropped = new HashSet<>();
            for (FrameRow row : contents.rows) if (erased.contains(row.getDonorPseudonym())) dropped.add(row.getKey());
            if (!dropped.isEmpty()) {
                Path copy = erasedCopy(tar, ".tar");
                if (fs.exists(copy)) fs.delete(copy, false);
                TarShards.copyWithout(tar, copy, dropped);
                holdingErased.add(tar);
                counts.framesErased += dropped.size();
                tar = copy;
                contents = readTar(tar, tar.getName());
            }
            for (FrameRow row : contents.rows) {
                if (!keys.add(row.getKey())) throw new IOException("frame " + row.getKey() + " is written twice");
                framesPerClip.merge(row.getClipId(), 1, Integer::sum);
            }
            if (contents.rows.isEmpty()) continue;
            newFiles.add(fileEntry(tar, FRAMES, contents.size, contents.sha256, contents.rows.size()));
            Path manifest = new Path(TarShards.manifestOf(tar.toString()));
            // a seal repeated after a crash between this write and the version file finds it: same rows, rewritten
            if (fs.exists(manifest)) fs.delete(manifest, false);
            ManifestFiles.write(manifest, FrameRow.class, contents.rows);
            newFiles.add(fileEntry(manifest, "frame_manifest", -1, null, contents.rows.size()));
            counts.frames += contents.rows.size();
        }

        // Clips: one manifest row per consumed message
        Set<String> clipIds = new HashSet<>();
        Map<String, Integer> expectedFrames = new HashMap<>();
        List<ClipRow> sealedRows = new ArrayList<>();
        for (Path committed : sorted(seal.clipManifests())) {
            Path part = withoutErased(committed, ".parquet");
            List<ClipRow> rows = ManifestFiles.read(part, ClipRow.class);
            sealedRows.addAll(rows); // erased rows too: their messages were consumed
            List<ClipRow> kept = rows.stream().filter(r -> !erased.contains(r.getDonorPseudonym())).toList();
            if (kept.size() < rows.size()) {
                Path copy = erasedCopy(part, ".parquet");
                if (fs.exists(copy)) fs.delete(copy, false);
                ManifestFiles.write(copy, ClipRow.class, kept);
                holdingErased.add(part);
                counts.rowsErased += rows.size() - kept.size();
                part = copy;
            }
            for (ClipRow row : kept) {
                if (row.getClipId() != null && !Decisions.rejectedAtParsing(row) && !clipIds.add(row.getClipId())) {
                    throw new IOException("clip " + row.getClipId() + " has two manifest rows");
                }
                counts.add(row);
                if (Decisions.ACCEPTED.equals(row.getDecision())) {
                    expectedFrames.merge(row.getClipId(), row.getFramesWritten(), Integer::sum);
                }
            }
            if (!kept.isEmpty()) newFiles.add(fileEntry(part, CLIP_MANIFEST, -1, null, kept.size()));
        }
        // exactly once: every accepted clip's frames are in the shards, once, and no others are
        expectedFrames.values().removeIf(n -> n == 0);
        if (!expectedFrames.equals(framesPerClip)) {
            Set<String> differing = new java.util.TreeSet<>(expectedFrames.keySet());
            differing.addAll(framesPerClip.keySet());
            differing.removeIf(id -> java.util.Objects.equals(expectedFrames.get(id), framesPerClip.get(id)));
            String first = differing.iterator().next();
            throw new Incomplete(differing.size() + " clip(s) have other frames in the shards than their manifest "
                    + "rows say, e.g. " + first + ": " + framesPerClip.getOrDefault(first, 0) + " in the shards, "
                    + expectedFrames.getOrDefault(first, 0) + " expected");
        }
        // before the version: no file with an erased donor's data outlives the seal (a repeat finds the copies)
        for (Path original : holdingErased) fs.delete(original, false);

        ReadRange range = ReadRange.after(build, own, sealedRows, seal.end());
        ObjectNode doc = document(build, version, parent, newFiles, counts, range, seal, own);
        Path versionFile = layout.versionFile(version);
        writeNew(versionFile, AvroJson.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        replaceLatest(DatasetLayout.versionName(version));
        LOG.info("sealed {} with {} new files (checkpoint {})", versionFile, newFiles.size(), seal.checkpointId());
        return new Sealed(version, versionFile, doc);
    }

    /**
     * The donors erased by purges sealed since this build started: a clip of theirs judged before the revocation may
     * still be in flight (staging's settle time) and reach any later seal of the build, not only the next one. Read
     * from the erasure receipts (one per donor and purge, naming the purge's version), not from the versions: a
     * long run has sealed many versions since it started, and each seal would read them all again.
     */
    private Set<String> erasedSince(BuildInfo build, JsonNode latest) throws IOException {
        Set<String> donors = new HashSet<>();
        if (latest == null) return donors;
        int since = build.parent() == null ? 0 : versionNumber(build.parent());
        for (Path file : new ErasureReceipts(layout).receiptFiles()) {
            JsonNode receipt = ErasureReceipts.read(file);
            int purgeVersion = versionNumber(receipt.path("new_version").asText("v0"));
            if (purgeVersion <= since || purgeVersion > latest.get("version").asInt()) continue;
            // a purge whose publishing failed leaves no version; its number may belong to a later build's
            if (!receipt.path("purge_id").asText().equals(readVersion(purgeVersion).path("build").path("id").asText())) continue;
            donors.add(receipt.get("donor_pseudonym").asText());
        }
        return donors;
    }

    private static int versionNumber(String name) {
        return Integer.parseInt(name.substring(1));
    }

    /** The copy of a committed file without an erased donor's data: {@code name-erased.tar}. */
    private static Path erasedCopy(Path committed, String suffix) {
        String name = committed.getName();
        return new Path(committed.getParent(), name.substring(0, name.length() - suffix.length()) + "-erased" + suffix);
    }

    /** The committed file, or its erased copy when a repeated seal had already replaced it. */
    private static Path withoutErased(Path committed, String suffix) throws IOException {
        if (committed.getFileSystem().exists(committed)) return committed;
        Path copy = erasedCopy(committed, suffix);
        if (copy.getFileSystem().exists(copy)) return copy;
        throw new IOException(committed + " was committed but is gone: nothing was sealed");
    }

    /** Files this build's versions listed: the latest lists them, or a purge since replaced them (files_removed). */
    private static Set<String> listedSince(JsonNode own, JsonNode latest, List<JsonNode> sealedMeanwhile) {
        Set<String> listed = new HashSet<>();
        if (own == null || latest == null) return listed;
        latest.get("files").forEach(f -> listed.add(f.get("path").asText()));
        for (JsonNode v : sealedMeanwhile) v.path("purge").path("files_removed").forEach(f -> listed.add(f.asText()));
        return listed;
    }

    /** The versions sealed after this build's newest one (or, before its first seal, after its parent), oldest first. */
    private List<JsonNode> sealedSince(BuildInfo build, JsonNode own, JsonNode latest) throws IOException {
        List<JsonNode> versions = new ArrayList<>();
        if (latest == null) return versions;
        int since = own != null ? own.get("version").asInt() : build.parent() == null ? 0 : versionNumber(build.parent());
        for (int v = since + 1; v <= latest.get("version").asInt(); v++) versions.add(readVersion(v));
        return versions;
    }

    private List<Path> unlisted(List<Path> files, Set<String> listed, String suffix) {
        return files.stream().filter(f -> !listed.contains(layout.relative(f))
                && !listed.contains(layout.relative(erasedCopy(f, suffix)))).toList();
    }

    /**
     * A build extends the version that was latest when it started, and after that only its own versions and purges
     * (which a steward may seal beside a running stream). Any other build sealing meanwhile judged consent and
     * duplicates against other versions and read the same offsets: sealing on top of it would curate twice.
     */
    private void checkNoOtherBuildSealed(BuildInfo build, JsonNode own, JsonNode latest,
                                         List<JsonNode> sealedMeanwhile) throws IOException {
        if (latest == null) {
            if (build.parent() != null || own != null) {
                throw new IOException("the dataset's versions are gone (LATEST missing) while build " + build.buildId()
                        + " ran; nothing was sealed");
            }
            return;
        }
        for (JsonNode other : sealedMeanwhile) {
            if (!"purge".equals(other.path("build").path("mode").asText())) {
                throw new IOException(other.get("name").asText() + " was sealed by build "
                        + other.path("build").path("id").asText() + " while build " + build.buildId() + " ran (on top of "
                        + (own != null ? own.get("name").asText() : build.parent()) + "); nothing was sealed: one build "
                        + "or run per dataset at a time; run it again, it starts from " + latest.get("name").asText());
            }
        }
    }

    private JsonNode readVersion(int version) throws IOException {
        Path file = layout.versionFile(version);
        try (FSDataInputStream in = file.getFileSystem().open(file)) {
            return AvroJson.MAPPER.readTree(in);
        }
    }

    private static List<Path> sorted(List<Path> paths) {
        List<Path> sorted = new ArrayList<>(paths);
        sorted.sort(java.util.Comparator.comparing(Path::toString));
        return sorted;
    }

    private ObjectNode document(BuildInfo build, int version, JsonNode parent, List<ObjectNode> newFiles,
                                Counts counts, ReadRange range, Seal seal, JsonNode own) throws IOException {
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
        // what a repeated seal and the next seal of this run need: see VersionCommitter and ReadRange
        b.put("seal", own == null ? 1 : own.path("build").path("seal").asInt(0) + 1);
        b.put("checkpoint_id", seal.checkpointId());
        b.put("input_ended", seal.end());
        range.record(b, doc.putArray("kafka_offsets"));
        doc.put("code_version", build.codeVersion());
        doc.set("config", AvroJson.MAPPER.valueToTree(new TreeMap<>(build.config())));
        doc.put("config_sha256", Hashing.sha256Hex(AvroJson.MAPPER.writeValueAsBytes(doc.get("config"))));
        doc.set("models", AvroJson.MAPPER.valueToTree(new TreeMap<>(build.models())));

        ObjectNode c = doc.putObject("counts");
        c.put("messages_consumed", range.consumed());
        c.put("manifest_rows", counts.rows);
        c.put("redelivered_dropped", range.dropped());
        c.put("clips_accepted", counts.accepted);
        c.put("clips_rejected", counts.rejected);
        c.put("clips_duplicate", counts.duplicate);
        c.put("clips_quarantined", counts.quarantined);
        c.set("rejected_by_reason", AvroJson.MAPPER.valueToTree(counts.byReason));
        c.set("accepted_by_label", AvroJson.MAPPER.valueToTree(counts.byLabel));
        c.put("frames_written", counts.frames);
        c.put("video_seconds_accepted", Math.round(counts.acceptedSeconds * 1000) / 1000.0);
        c.put("video_seconds_processed", Math.round(counts.processedSeconds * 1000) / 1000.0);
        c.set("latency_s", counts.latency(now));
        if (counts.rowsErased + counts.framesErased > 0) {
            // a purge sealed while this build ran erased these donors: what the build still held of them stayed out
            c.put("clip_rows_erased_at_seal", counts.rowsErased);
            c.put("frames_erased_at_seal", counts.framesErased);
        }

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
        long framesErased;
        long rowsErased;
        double acceptedSeconds;
        double processedSeconds;
        final Map<String, Long> byReason = new TreeMap<>();
        final Map<String, Long> byLabel = new TreeMap<>();
        final List<Instant> acceptedDonatedAt = new ArrayList<>();

        void add(ClipRow row) {
            rows++;
            if (Decisions.ACCEPTED.equals(row.getDecision()) && row.getDonatedAt() != null) {
                acceptedDonatedAt.add(Instant.parse(row.getDonatedAt()));
            }
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

        /** Donation message written to Kafka → version sealed, over the accepted clips: how long until readable. */
        JsonNode latency(Instant sealedAt) {
            if (acceptedDonatedAt.isEmpty()) return AvroJson.MAPPER.nullNode();
            double[] s = acceptedDonatedAt.stream()
                    .mapToDouble(t -> Duration.between(t, sealedAt).toMillis() / 1000.0).sorted().toArray();
            ObjectNode l = AvroJson.MAPPER.createObjectNode();
            l.put("clips", s.length);
            l.put("min", s[0]);
            l.put("median", s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
            l.put("max", s[s.length - 1]);
            return l;
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

        /** Waits up to {@code patience} for the lock, trying twice a second. */
        public static DatasetLock acquire(DatasetLayout layout, Duration patience) throws IOException {
            long deadline = System.nanoTime() + patience.toNanos();
            while (true) {
                try {
                    return acquire(layout);
                } catch (IOException busy) {
                    if (System.nanoTime() > deadline || !busy.getMessage().startsWith("another build")) throw busy;
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw busy;
                    }
                }
            }
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
