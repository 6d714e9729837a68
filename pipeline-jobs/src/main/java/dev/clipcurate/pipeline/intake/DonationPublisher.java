package dev.clipcurate.pipeline.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.common.TopicWriter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Publishes donation messages for files in a landing area, the way an upload service would: the file's
 * sha256 and size, where it lies, and the donation metadata from {@code donations.csv} or defaults.
 */
public final class DonationPublisher implements AutoCloseable {
    public static final String METADATA_FILE = "donations.csv";
    public static final String DEFAULT_DONOR = "demo-donor-1";
    private static final String CSV_HEADER = "file,donor_id,campaign,camera_id,captured_at,declared_staged";

    /** Donation metadata of one file; null fields take the defaults. */
    public record Metadata(String donorId, String campaign, String cameraId, String capturedAt, Boolean declaredStaged) {}

    private final TopicWriter writer;

    public DonationPublisher(String bootstrapServers, String topic) {
        this.writer = new TopicWriter(bootstrapServers, topic);
    }

    /** The files of a directory that are donations: every regular file except the metadata file. */
    public static List<Path> donatableFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().equals(METADATA_FILE))
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        }
    }

    /** Reads {@code donations.csv}; an empty map when the directory has none. */
    public static Map<String, Metadata> readMetadata(Path dir) throws IOException {
        Path csv = dir.resolve(METADATA_FILE);
        Map<String, Metadata> rows = new HashMap<>();
        if (!Files.exists(csv)) return rows;
        try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null || !header.trim().equalsIgnoreCase(CSV_HEADER)) {
                throw new IOException(csv + ": the first line must be '" + CSV_HEADER + "'");
            }
            int lineNo = 1;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] f = line.split(",", -1);
                if (f.length != 6) throw new IOException(csv + " line " + lineNo + ": expected 6 comma-separated fields");
                Boolean staged = f[5].isBlank() ? null : Boolean.parseBoolean(f[5].trim().toLowerCase(Locale.ROOT));
                rows.put(f[0].trim(), new Metadata(blankToNull(f[1]), blankToNull(f[2]), blankToNull(f[3]),
                        blankToNull(f[4]), staged));
            }
        }
        return rows;
    }

    /** The donor ids the files of a directory would be donated under (donations.csv, else the default donor). */
    public static java.util.Set<String> donorIds(Path dir) throws IOException {
        Map<String, Metadata> meta = readMetadata(dir);
        java.util.Set<String> donors = new java.util.TreeSet<>();
        for (Path file : donatableFiles(dir)) {
            Metadata m = meta.get(file.getFileName().toString());
            donors.add(orElse(m == null ? null : m.donorId(), DEFAULT_DONOR));
        }
        return donors;
    }

    /** Builds the message for a file, filling defaults for metadata the donor did not give. */
    public static ObjectNode message(Path landingRoot, Path file, Metadata meta) throws IOException {
        String sha;
        try (InputStream in = Files.newInputStream(file)) {
            sha = Hashing.sha256Hex(in);
        }
        String name = file.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        Metadata m = meta == null ? new Metadata(null, null, null, null, null) : meta;
        ObjectNode msg = AvroJson.MAPPER.createObjectNode();
        msg.put("clip_id", stem.replaceAll("[^A-Za-z0-9_-]", "-") + "-" + sha.substring(0, 8));
        msg.put("donor_id", orElse(m.donorId(), DEFAULT_DONOR));
        msg.put("campaign", orElse(m.campaign(), "package-theft"));
        msg.put("clip_uri", landingRoot.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize()).toString());
        msg.put("sha256", sha);
        msg.put("size_bytes", Files.size(file));
        ObjectNode capture = msg.putObject("capture");
        capture.put("camera_id", orElse(m.cameraId(), "camera-1"));
        capture.put("captured_at", orElse(m.capturedAt(), Files.getLastModifiedTime(file).toInstant().toString()));
        ObjectNode consent = msg.putObject("consent");
        consent.put("scope", "training");
        consent.put("version", "donor-terms-2026-01");
        consent.put("granted_at", Instant.now().toString());
        if (m.declaredStaged() == null) msg.putNull("declared_staged");
        else msg.put("declared_staged", m.declaredStaged());
        return msg;
    }

    /** Sends one raw message (any bytes) keyed by clip id; waits for the broker's acknowledgement. */
    public void send(String key, byte[] value) throws Exception {
        writer.send(key, value);
    }

    public void send(ObjectNode message) throws Exception {
        send(message.path("clip_id").asText(null), AvroJson.MAPPER.writeValueAsBytes(message));
    }

    /** Publishes every donatable file of {@code dir}; returns the messages sent. */
    public List<ObjectNode> donateDirectory(Path landingRoot, Path dir) throws Exception {
        Map<String, Metadata> meta = readMetadata(dir);
        List<ObjectNode> sent = new ArrayList<>();
        for (Path file : donatableFiles(dir)) {
            ObjectNode msg = message(landingRoot, file, meta.get(file.getFileName().toString()));
            send(msg);
            sent.add(msg);
        }
        return sent;
    }

    @Override
    public void close() {
        writer.close();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String orElse(String s, String fallback) {
        return s == null ? fallback : s;
    }
}
