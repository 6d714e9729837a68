package dev.clipcurate.pipeline.erasure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.consent.ConsentUpdate;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.pipeline.shards.TarShards;
import dev.clipcurate.pipeline.shards.VersionSealer;
import dev.clipcurate.schemas.ClipRow;
import dev.clipcurate.schemas.FrameRow;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Seals a new version of a dataset without any frame or clip row of the given donors. Copy-on-write: only the
 * files that hold their rows are rewritten, into a directory of the purge's own; every other file is listed as
 * the parent listed it, and no earlier file is touched (older versions stay readable until gc deletes what no
 * retained version lists). The Kafka offsets carry over, so the next build continues where the parent's ended.
 */
public final class DonorPurge {
    private final DatasetLayout layout;

    public DonorPurge(DatasetLayout layout) {
        this.layout = layout;
    }

    /** What one donor lost in the purge, for the receipt. */
    public static final class DonorErasure {
        public final String donorPseudonym;
        public final List<ClipRow> clipRows = new ArrayList<>();
        public int frames;
        public final Set<String> filesHoldingData = new java.util.TreeSet<>();
        /** The sealed versions listing any of those files, oldest first. */
        public List<String> versionsAffected = List.of();

        DonorErasure(String donorPseudonym) {
            this.donorPseudonym = donorPseudonym;
        }
    }

    /** A rewritten file: the parent's path, the new path (null when nothing of it was left), rows removed. */
    public record Rewrite(String from, String to, String kind, int rowsRemoved) {}

    public record Result(VersionSealer.Sealed sealed, String purgeId, Instant startedAt, Instant finishedAt,
                         Map<String, DonorErasure> donors, List<Rewrite> rewrites, List<String> versionsAffected,
                         List<Path> receipts) {}

    /**
     * @param revocations the donors to erase (pseudonyms) with the revocation that asks for it
     * @return null when the latest version holds nothing of these donors (nothing is written)
     */
    public Result purge(Map<String, ConsentUpdate> revocations, List<String> args) throws IOException {
        try (VersionSealer.DatasetLock ignored = VersionSealer.DatasetLock.acquire(layout)) {
            return purgeLocked(revocations, args);
        }
    }

    private Result purgeLocked(Map<String, ConsentUpdate> revocations, List<String> args) throws IOException {
        Set<String> donors = revocations.keySet();
        Instant started = Instant.now();
        VersionSealer sealer = new VersionSealer(layout);
        JsonNode parent = sealer.latest();
        if (parent == null) throw new IOException("dataset '" + layout.dataset() + "' has no version to purge");
        String purgeId = "purge-" + dev.clipcurate.pipeline.job.CurationRunner.newBuildId(started);
        Path purgeDir = layout.buildDir(purgeId);
        Map<String, DonorErasure> erased = new TreeMap<>();

        // frames to drop, per tar, from the tars' frame manifests
        Map<String, Set<String>> droppedKeysByTar = new HashMap<>();
        Map<String, List<FrameRow>> keptFramesByManifest = new HashMap<>();
        for (JsonNode f : parent.get("files")) {
            if (!"frame_manifest".equals(f.get("kind").asText())) continue;
            String path = f.get("path").asText();
            List<FrameRow> kept = new ArrayList<>();
            Set<String> dropped = new HashSet<>();
            for (FrameRow row : ManifestFiles.read(file(path), FrameRow.class)) {
                if (donors.contains(row.getDonorPseudonym())) {
                    dropped.add(row.getKey());
                    DonorErasure d = erased.computeIfAbsent(row.getDonorPseudonym(), DonorErasure::new);
                    d.frames++;
                    d.filesHoldingData.add(path);
                    d.filesHoldingData.add(TarShards.tarOf(path));
                } else {
                    kept.add(row);
                }
            }
            if (!dropped.isEmpty()) {
                droppedKeysByTar.put(TarShards.tarOf(path), dropped);
                keptFramesByManifest.put(path, kept);
            }
        }

        ArrayNode files = AvroJson.MAPPER.createArrayNode();
        List<Rewrite> rewrites = new ArrayList<>();
        Map<String, String> newTarNames = new HashMap<>();
        int tarNo = 0;
        int clipNo = 0;
        long acceptedRemoved = 0;
        long framesRemoved = 0;
        long rowsRemoved = 0;
        for (JsonNode f : parent.get("files")) {
            String path = f.get("path").asText();
            String kind = f.get("kind").asText();
            switch (kind) {
                case "frames" -> {
                    Set<String> dropped = droppedKeysByTar.get(path);
                    if (dropped == null) {
                        files.add(f.deepCopy());
                        continue;
                    }
                    int kept = keptFramesByManifest.get(TarShards.manifestOf(path)).size();
                    framesRemoved += dropped.size();
                    if (kept == 0) {
                        rewrites.add(new Rewrite(path, null, kind, dropped.size()));
                        continue;
                    }
                    String name = String.format("frames-%06d.tar", tarNo++);
                    Path target = new Path(purgeDir, name);
                    TarShards.Copy copy = TarShards.copyWithout(file(path), target, dropped);
                    if (copy.samplesKept() != kept || copy.samplesDropped() != dropped.size()) {
                        throw new IOException(path + " does not hold the samples its frame manifest lists: "
                                + copy.samplesKept() + " kept and " + copy.samplesDropped() + " dropped, expected "
                                + kept + " and " + dropped.size() + " (scripts/curate audit checks the version)");
                    }
                    newTarNames.put(path, name);
                    files.add(entry(target, kind, copy.size(), copy.sha256(), kept, f, purgeId));
                    rewrites.add(new Rewrite(path, layout.relative(target), kind, dropped.size()));
                }
                case "frame_manifest" -> {
                    List<FrameRow> kept = keptFramesByManifest.get(path);
                    if (kept == null) {
                        files.add(f.deepCopy());
                        continue;
                    }
                    int removed = f.get("rows").asInt() - kept.size();
                    if (kept.isEmpty()) {
                        rewrites.add(new Rewrite(path, null, kind, removed));
                        continue;
                    }
                    String tarName = newTarNames.get(TarShards.tarOf(path));
                    for (FrameRow row : kept) row.setShard(tarName);
                    Path target = new Path(purgeDir, tarName.replace(".tar", ".parquet"));
                    ManifestFiles.write(target, FrameRow.class, kept);
                    files.add(entry(target, kind, -1, null, kept.size(), f, purgeId));
                    rewrites.add(new Rewrite(path, layout.relative(target), kind, removed));
                }
                case "clip_manifest" -> {
                    List<ClipRow> rows = ManifestFiles.read(file(path), ClipRow.class);
                    List<ClipRow> kept = new ArrayList<>();
                    for (ClipRow row : rows) {
                        if (row.getDonorPseudonym() != null && donors.contains(row.getDonorPseudonym())) {
                            DonorErasure d = erased.computeIfAbsent(row.getDonorPseudonym(), DonorErasure::new);
                            row.setFingerprint(null);
                            d.clipRows.add(row);
                            d.filesHoldingData.add(path);
                            if (Decisions.ACCEPTED.equals(row.getDecision())) acceptedRemoved++;
                        } else {
                            kept.add(row);
                        }
                    }
                    if (kept.size() == rows.size()) {
                        files.add(f.deepCopy());
                        continue;
                    }
                    rowsRemoved += rows.size() - kept.size();
                    if (kept.isEmpty()) {
                        rewrites.add(new Rewrite(path, null, kind, rows.size()));
                        continue;
                    }
                    Path target = new Path(purgeDir, String.format("clips-%06d.parquet", clipNo++));
                    ManifestFiles.write(target, ClipRow.class, kept);
                    files.add(entry(target, kind, -1, null, kept.size(), f, purgeId));
                    rewrites.add(new Rewrite(path, layout.relative(target), kind, rows.size() - kept.size()));
                }
                default -> files.add(f.deepCopy());
            }
        }
        if (rewrites.isEmpty()) return null;

        Instant finished = Instant.now();
        ObjectNode doc = document(parent, sealer, purgeId, started, finished, args, files, erased.size(),
                acceptedRemoved, framesRemoved, rowsRemoved, rewrites);
        // files an earlier purge rewrote stand in for originals that older versions still list: those hold the data too
        List<JsonNode> versions = new DatasetVersions(layout).all();
        Map<String, String> replaces = replacedFiles(versions);
        Set<String> held = new HashSet<>();
        for (DonorErasure d : erased.values()) {
            for (String f : List.copyOf(d.filesHoldingData)) {
                for (String r = replaces.get(f); r != null && d.filesHoldingData.add(r); r = replaces.get(r)) { }
            }
            d.versionsAffected = versionsListing(versions, d.filesHoldingData);
            held.addAll(d.filesHoldingData);
        }
        // receipts first: a purge version is never there without them (they go again if publishing fails)
        ErasureReceipts receipts = new ErasureReceipts(layout);
        List<Path> written = receipts.write(purgeId, started, finished, doc.get("name").asText(), erased, rewrites,
                revocations);
        VersionSealer.Sealed sealed;
        try {
            sealed = sealer.publish(doc);
        } catch (IOException | RuntimeException e) {
            receipts.discard(purgeId);
            throw e;
        }
        return new Result(sealed, purgeId, started, finished, erased, rewrites, versionsListing(versions, held), written);
    }

    private ObjectNode document(JsonNode parent, VersionSealer sealer, String purgeId, Instant started, Instant finished,
                                List<String> args, ArrayNode files, int donors, long acceptedRemoved,
                                long framesRemoved, long rowsRemoved, List<Rewrite> rewrites) throws IOException {
        int version = parent.get("version").asInt() + 1;
        ObjectNode doc = AvroJson.MAPPER.createObjectNode();
        doc.put("format", parent.get("format").asText());
        doc.put("dataset", layout.dataset());
        doc.put("version", version);
        doc.put("name", DatasetLayout.versionName(version));
        doc.put("parent", parent.get("name").asText());
        doc.put("parent_sha256", sealer.versionSha256(parent.get("version").asInt()));
        doc.put("created_at", finished.toString());
        ObjectNode b = doc.putObject("build");
        b.put("id", purgeId);
        b.put("mode", "purge");
        b.put("started_at", started.toString());
        b.put("wall_seconds", Duration.between(started, finished).toMillis() / 1000.0);
        ArrayNode a = b.putArray("args");
        args.forEach(a::add);
        // a purge consumes nothing: the next build starts where the parent's range ended
        doc.set("kafka_offsets", parent.get("kafka_offsets").deepCopy());
        doc.put("code_version", dev.clipcurate.pipeline.job.CurationRunner.codeVersion());
        doc.set("config", parent.get("config").deepCopy());
        doc.put("config_sha256", parent.get("config_sha256").asText());
        doc.set("models", parent.get("models").deepCopy());
        ObjectNode c = doc.putObject("counts");
        for (String zero : List.of("messages_consumed", "manifest_rows", "redelivered_dropped", "clips_accepted",
                "clips_rejected", "clips_duplicate", "clips_quarantined", "frames_written")) c.put(zero, 0);
        c.putObject("rejected_by_reason");
        c.putObject("accepted_by_label");
        ObjectNode p = doc.putObject("purge");
        p.put("donors", donors);
        p.put("accepted_clips_removed", acceptedRemoved);
        p.put("clip_rows_removed", rowsRemoved);
        p.put("frames_removed", framesRemoved);
        p.put("files_rewritten", rewrites.stream().filter(r -> r.to() != null).count());
        p.put("files_dropped", rewrites.stream().filter(r -> r.to() == null).count());
        // the parent's files this version no longer lists: readers that check a version keeps its parent's files
        ArrayNode removed = p.putArray("files_removed");
        rewrites.forEach(r -> removed.add(r.from()));
        ObjectNode totals = doc.putObject("totals");
        totals.put("clips_accepted", parent.get("totals").get("clips_accepted").asLong() - acceptedRemoved);
        totals.put("frames", parent.get("totals").get("frames").asLong() - framesRemoved);
        doc.set("files", files);
        return doc;
    }

    /** File → the file it replaces, over every sealed version. */
    private static Map<String, String> replacedFiles(List<JsonNode> versions) {
        Map<String, String> replaces = new HashMap<>();
        for (JsonNode v : versions) {
            for (JsonNode f : v.get("files")) {
                if (f.hasNonNull("replaces")) replaces.put(f.get("path").asText(), f.get("replaces").asText());
            }
        }
        return replaces;
    }

    /** The sealed versions that list any of the given files, oldest first. */
    private static List<String> versionsListing(List<JsonNode> versions, Set<String> files) {
        List<String> names = new ArrayList<>();
        for (JsonNode v : versions) {
            for (JsonNode f : v.get("files")) {
                if (files.contains(f.get("path").asText())) {
                    names.add(v.get("name").asText());
                    break;
                }
            }
        }
        return names;
    }

    /**
     * A rewritten file's entry: its rows still belong to the build that wrote them (readers join frames to clips by
     * build), so it keeps that build id; {@code replaces} and {@code rewritten_by} say what the purge did.
     */
    private ObjectNode entry(Path file, String kind, long size, String sha, int rows, JsonNode original, String purgeId)
            throws IOException {
        ObjectNode e = new VersionSealer(layout).fileEntry(file, kind, size, sha, rows);
        e.put("build_id", original.get("build_id").asText());
        e.put("replaces", original.get("path").asText());
        e.put("rewritten_by", purgeId);
        return e;
    }

    private Path file(String relativePath) {
        return new Path(layout.datasetDir(), relativePath);
    }
}
