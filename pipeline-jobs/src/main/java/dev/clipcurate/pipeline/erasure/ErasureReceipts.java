package dev.clipcurate.pipeline.erasure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.consent.ConsentUpdate;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Erasure receipts: one per donor and purge, under {@code <dataset>/receipts/<purge id>/<pseudonym>.json} with a
 * plain-text twin a steward can hand to the donor. A purge leaves the original files for the versions before it;
 * the receipt lists them as awaiting deletion until gc deletes the last of them and marks it complete.
 */
public final class ErasureReceipts {
    public static final String FORMAT = "clip-curation/erasure-receipt@1";
    private final DatasetLayout layout;

    public ErasureReceipts(DatasetLayout layout) {
        this.layout = layout;
    }

    public Path receiptsDir() {
        return new Path(layout.datasetDir(), "receipts");
    }

    /** Writes the receipts of a purge about to seal {@code newVersion}; returns their JSON files. */
    List<Path> write(String purgeId, Instant started, Instant finished, String newVersion,
                     Map<String, DonorPurge.DonorErasure> donors, List<DonorPurge.Rewrite> rewrites,
                     Map<String, ConsentUpdate> revocations) throws IOException {
        List<Path> written = new ArrayList<>();
        for (DonorPurge.DonorErasure d : donors.values()) {
            ObjectNode r = AvroJson.MAPPER.createObjectNode();
            r.put("format", FORMAT);
            r.put("dataset", layout.dataset());
            r.put("donor_pseudonym", d.donorPseudonym);
            ConsentUpdate revoke = revocations.get(d.donorPseudonym);
            r.put("revoked_at", revoke == null ? null : Instant.ofEpochMilli(revoke.atMillis).toString());
            r.put("revocation_event", revoke == null ? null : revoke.source());
            r.put("purge_id", purgeId);
            r.put("purge_started_at", started.toString());
            r.put("purged_at", finished.toString());
            r.put("new_version", newVersion);
            ArrayNode versions = r.putArray("versions_affected");
            d.versionsAffected.forEach(versions::add);
            r.put("clips_removed", d.clipRows.stream().map(ClipRow::getClipId).filter(java.util.Objects::nonNull).distinct().count());
            r.put("accepted_clips_removed", d.clipRows.stream().filter(c -> "accepted".equals(c.getDecision())).count());
            r.put("clip_rows_removed", d.clipRows.size());
            r.put("frames_removed", d.frames);
            ArrayNode clips = r.putArray("clips");
            for (ClipRow c : d.clipRows) {
                ObjectNode o = clips.addObject();
                o.put("clip_id", c.getClipId());
                o.put("decision", c.getDecision());
                o.put("frames", c.getFramesWritten());
                o.put("build_id", c.getBuildId());
            }
            ArrayNode rewritten = r.putArray("files_rewritten");
            for (DonorPurge.Rewrite w : rewrites) {
                if (!d.filesHoldingData.contains(w.from())) continue;
                ObjectNode o = rewritten.addObject();
                o.put("from", w.from());
                o.put("to", w.to());
                o.put("kind", w.kind());
            }
            ArrayNode awaiting = r.putArray("files_awaiting_deletion");
            d.filesHoldingData.forEach(awaiting::add);
            r.putArray("files_deleted");
            r.put("erasure_complete", false);
            r.putNull("completed_at");
            Path file = new Path(new Path(receiptsDir(), purgeId), d.donorPseudonym + ".json");
            save(file, r);
            written.add(file);
        }
        return written;
    }

    /** Removes a purge's receipts (its version could not be published). */
    void discard(String purgeId) throws IOException {
        Path dir = new Path(receiptsDir(), purgeId);
        dir.getFileSystem().delete(dir, true);
    }

    /**
     * After gc: every receipt whose awaiting files are now all gone records the deletion and is complete.
     *
     * @return the receipts completed now
     */
    public List<Path> completeAfterDeletion(Set<String> deletedNow, String gcId, Instant at) throws IOException {
        List<Path> completed = new ArrayList<>();
        FileSystem fs = receiptsDir().getFileSystem();
        if (!fs.exists(receiptsDir())) return completed;
        for (Path file : receiptFiles()) {
            ObjectNode r = (ObjectNode) read(file);
            if (r.path("erasure_complete").asBoolean(false)) continue;
            ArrayNode awaiting = (ArrayNode) r.get("files_awaiting_deletion");
            ArrayNode deleted = (ArrayNode) r.get("files_deleted");
            ArrayNode still = AvroJson.MAPPER.createArrayNode();
            for (JsonNode f : awaiting) {
                String path = f.asText();
                if (fs.exists(new Path(layout.datasetDir(), path))) {
                    still.add(path);
                } else {
                    ObjectNode o = deleted.addObject();
                    o.put("path", path);
                    o.put("deleted_at", deletedNow.contains(path) ? at.toString() : null);
                    o.put("by", deletedNow.contains(path) ? gcId : "(already gone)");
                }
            }
            r.set("files_awaiting_deletion", still);
            if (still.isEmpty()) {
                r.put("erasure_complete", true);
                r.put("completed_at", at.toString());
                completed.add(file);
            }
            save(file, r);
        }
        return completed;
    }

    public List<Path> receiptFiles() throws IOException {
        FileSystem fs = receiptsDir().getFileSystem();
        List<Path> files = new ArrayList<>();
        if (!fs.exists(receiptsDir())) return files;
        for (FileStatus purge : fs.listStatus(receiptsDir())) {
            if (!purge.isDir()) continue;
            for (FileStatus f : fs.listStatus(purge.getPath())) {
                if (f.getPath().getName().endsWith(".json")) files.add(f.getPath());
            }
        }
        files.sort((a, b) -> a.toString().compareTo(b.toString()));
        return files;
    }

    public static JsonNode read(Path file) throws IOException {
        try (FSDataInputStream in = file.getFileSystem().open(file)) {
            return AvroJson.MAPPER.readTree(in);
        }
    }

    private static void save(Path file, ObjectNode receipt) throws IOException {
        FileSystem fs = file.getFileSystem();
        fs.mkdirs(file.getParent());
        writeReplacing(file, AvroJson.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(receipt));
        writeReplacing(new Path(file.getParent(), file.getName().replaceFirst("\\.json$", ".txt")),
                text(receipt).getBytes(StandardCharsets.UTF_8));
    }

    /** Readers see the old receipt or the new one, never none: an atomic rename where the file system has one. */
    private static void writeReplacing(Path file, byte[] bytes) throws IOException {
        FileSystem fs = file.getFileSystem();
        Path temp = new Path(file.getParent(), "." + file.getName() + ".tmp");
        try (FSDataOutputStream out = fs.create(temp, FileSystem.WriteMode.OVERWRITE)) {
            out.write(bytes);
        }
        if ("file".equals(file.toUri().getScheme())) {
            java.nio.file.Files.move(java.nio.file.Paths.get(temp.toUri()), java.nio.file.Paths.get(file.toUri()),
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else {
            fs.delete(file, false);
            if (!fs.rename(temp, file)) throw new IOException("cannot move " + temp + " to " + file);
        }
    }

    /** The receipt in words, for the donor. */
    static String text(JsonNode r) {
        StringBuilder s = new StringBuilder();
        s.append("Erasure receipt — dataset ").append(r.get("dataset").asText()).append('\n');
        s.append("Donor reference (pseudonym): ").append(r.get("donor_pseudonym").asText()).append("\n\n");
        if (!r.path("revoked_at").isNull()) {
            s.append("You withdrew your consent at ").append(r.get("revoked_at").asText()).append(".\n");
        }
        s.append("On ").append(r.get("purged_at").asText()).append(" we removed ")
                .append(r.get("clips_removed").asLong()).append(" clip(s) (")
                .append(r.get("accepted_clips_removed").asLong()).append(" of them in the training data) and ")
                .append(r.get("frames_removed").asLong()).append(" frame(s) from dataset version ")
                .append(r.get("new_version").asText()).append(" onwards.\n");
        Set<String> versions = new TreeSet<>();
        r.get("versions_affected").forEach(v -> versions.add(v.asText()));
        s.append("Earlier versions that held them: ").append(versions.isEmpty() ? "none" : String.join(", ", versions)).append(".\n");
        if (r.get("erasure_complete").asBoolean()) {
            s.append("The files of those versions that held your data were deleted; the erasure was complete at ")
                    .append(r.get("completed_at").asText()).append(".\n");
        } else {
            s.append(r.get("files_awaiting_deletion").size())
                    .append(" file(s) of those earlier versions still hold your data and are deleted at the next garbage "
                            + "collection of the dataset; this receipt is updated then.\n");
        }
        s.append("\nClips removed:\n");
        for (JsonNode c : r.get("clips")) {
            s.append("  ").append(c.get("clip_id").asText("(unnamed)")).append(" — ").append(c.get("decision").asText())
                    .append(", ").append(c.get("frames").asInt()).append(" frame(s)\n");
        }
        s.append("\nPurge ").append(r.get("purge_id").asText()).append("; machine-readable receipt beside this file.\n");
        return s.toString();
    }
}
