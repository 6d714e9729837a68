package dev.clipcurate.pipeline.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.consent.ConsentHistory;
import dev.clipcurate.pipeline.consent.ConsentLog;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.pipeline.shards.TarShards;
import dev.clipcurate.pipeline.shards.VersionSealer;
import dev.clipcurate.schemas.ClipRow;
import dev.clipcurate.schemas.FrameRow;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks one sealed version against its files and against policy. Integrity: every listed file is present with
 * its sha256; each tar's members are exactly its frame manifest's rows, each JPEG matches its hash; the chain of
 * parent_sha256 back to the first version is intact; the version's totals match its manifests. Policy: no row of
 * a donor who has revoked consent; every frame was verified after anonymisation; no clip accepted twice; every
 * accepted clip had a grant of consent as of when it was judged.
 */
public final class VersionAudit {
    /** How many frames the report's contact sheet shows at most. */
    static final int CONTACT_SHEET = 12;

    private final DatasetLayout layout;

    public VersionAudit(DatasetLayout layout) {
        this.layout = layout;
    }

    /** The outcome: the checks in order, and what the report shows. */
    public record Outcome(JsonNode version, JsonNode parent, List<ClipRow> rows, List<ClipRow> parentRows,
                          List<HtmlReport.Check> checks, List<HtmlReport.Sample> samples) {
        public boolean passed() {
            return checks.stream().allMatch(HtmlReport.Check::passed);
        }
    }

    /**
     * @param consent the consent topic as read now, or null when it could not be read ({@code consentProblem} says why):
     *                the consent checks then fail, since they cannot be shown to hold
     */
    public Outcome audit(JsonNode version, ConsentLog consent, String consentProblem) throws IOException {
        DatasetVersions versions = new DatasetVersions(layout);
        JsonNode parent = version.get("parent").isNull() ? null : versions.version(version.get("parent").asText());
        List<HtmlReport.Check> checks = new ArrayList<>();
        FileSystem fs = layout.datasetDir().getFileSystem();

        List<String> missing = new ArrayList<>();
        for (JsonNode f : version.get("files")) {
            if (!fs.exists(new Path(layout.datasetDir(), f.get("path").asText()))) missing.add(f.get("path").asText());
        }

        // tar members vs frame manifests, JPEG hashes; each tar is read once: hashed, checked, sampled for the sheet
        List<ClipRow> rows = readRows(versions, version, missing);
        Map<String, ClipRow> accepted = new HashMap<>();
        for (ClipRow r : rows) if (Decisions.ACCEPTED.equals(r.getDecision())) accepted.putIfAbsent(r.getClipId(), r);
        List<FrameRow> frames = new ArrayList<>();
        Map<String, String> tarHashes = new HashMap<>();
        int tars = 0;
        List<String> memberProblems = new ArrayList<>();
        List<String> hashProblems = new ArrayList<>();
        List<HtmlReport.Sample> samples = new ArrayList<>();
        Set<String> sampleKeys = new HashSet<>();
        List<JsonNode> manifests = new ArrayList<>();
        for (JsonNode f : version.get("files")) if ("frame_manifest".equals(f.get("kind").asText())) manifests.add(f);
        for (JsonNode m : manifests) {
            String manifestPath = m.get("path").asText();
            String tarPath = TarShards.tarOf(manifestPath);
            if (missing.contains(manifestPath) || missing.contains(tarPath)) continue;
            List<FrameRow> manifestRows = ManifestFiles.read(new Path(layout.datasetDir(), manifestPath), FrameRow.class);
            frames.addAll(manifestRows);
            tars++;
            // evenly spaced frames of this shard for the contact sheet
            int want = Math.max(1, CONTACT_SHEET / Math.max(1, manifests.size()));
            for (int i = 0; i < want && i < manifestRows.size(); i++) {
                sampleKeys.add(manifestRows.get(i * manifestRows.size() / want).getKey());
            }
            Map<String, FrameRow> byKey = new HashMap<>();
            manifestRows.forEach(r -> byKey.put(r.getKey(), r));
            Map<String, Integer> members = new TreeMap<>();
            MessageDigest digest = Hashing.sha256();
            try (FSDataInputStream raw = fs.open(new Path(layout.datasetDir(), tarPath));
                 DigestInputStream hashed = new DigestInputStream(raw, digest);
                 TarArchiveInputStream in = new TarArchiveInputStream(hashed)) {
                for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                    String key = TarShards.sampleKey(e.getName());
                    members.merge(key, 1, Integer::sum);
                    if (e.getName().endsWith(".jpg")) {
                        byte[] jpg = in.readAllBytes();
                        FrameRow row = byKey.get(key);
                        if (row != null && !row.getJpgSha256().equals(Hashing.sha256Hex(jpg))) {
                            hashProblems.add(tarPath + ":" + e.getName());
                        }
                        if (row != null && sampleKeys.contains(key) && samples.size() < CONTACT_SHEET) {
                            samples.add(new HtmlReport.Sample(key, row.getClipId(), row.getCampaign(), row.getStagedLabel(), jpg));
                        }
                    }
                }
                hashed.transferTo(java.io.OutputStream.nullOutputStream()); // the tar's end blocks count for its hash
            }
            tarHashes.put(tarPath, HexFormat.of().formatHex(digest.digest()));
            boolean pairs = members.values().stream().allMatch(n -> n == 2);
            if (!members.keySet().equals(byKey.keySet()) || !pairs || manifestRows.size() != m.get("rows").asInt()) {
                Set<String> extra = new TreeSet<>(members.keySet());
                extra.removeAll(byKey.keySet());
                Set<String> absent = new TreeSet<>(byKey.keySet());
                absent.removeAll(members.keySet());
                memberProblems.add(tarPath + ": " + extra.size() + " samples not in the manifest, " + absent.size()
                        + " manifest rows without a sample" + (pairs ? "" : ", samples without their .json+.jpg pair"));
            }
        }

        // files present with their sha256 (tars were hashed above)
        int present = 0;
        long bytes = 0;
        List<String> altered = new ArrayList<>();
        for (JsonNode f : version.get("files")) {
            String path = f.get("path").asText();
            if (missing.contains(path)) continue;
            Path file = new Path(layout.datasetDir(), path);
            String sha = tarHashes.get(path);
            if (sha == null) {
                try (FSDataInputStream in = fs.open(file)) {
                    sha = Hashing.sha256Hex(in);
                }
            }
            if (!sha.equals(f.get("sha256").asText()) || fs.getFileStatus(file).getLen() != f.get("size").asLong()) {
                altered.add(path);
            } else {
                present++;
                bytes += f.get("size").asLong();
            }
        }
        String filesDetail = String.format("%d of %d files present with their sha256 (%.1f MB)", present,
                version.get("files").size(), bytes / 1e6);
        if (!missing.isEmpty()) filesDetail += "; missing " + missing.size() + ", e.g. " + missing.get(0)
                + (collected(version) ? " (gc deleted this version's files: audit a retained version)" : "");
        if (!altered.isEmpty()) filesDetail += "; altered " + altered.size() + ", e.g. " + altered.get(0);
        checks.add(new HtmlReport.Check("files present with their sha256", missing.isEmpty() && altered.isEmpty(), filesDetail));
        checks.add(new HtmlReport.Check("tar members match the frame manifests", memberProblems.isEmpty(),
                memberProblems.isEmpty() ? frames.size() + " frames in " + tars + " shards, each a .json and a .jpg listed once"
                        : memberProblems.size() + " shard(s) differ: " + memberProblems.get(0)));
        checks.add(new HtmlReport.Check("jpg hashes match", hashProblems.isEmpty(), hashProblems.isEmpty()
                ? frames.size() + " JPEGs hashed" : hashProblems.size() + " JPEG(s) altered, e.g. " + hashProblems.get(0)));

        // the parent hash chain back to the first version
        checks.add(chain(version));

        // totals vs manifests
        Map<String, Integer> framesPerClip = new HashMap<>();
        frames.forEach(f -> framesPerClip.merge(f.getClipId(), 1, Integer::sum));
        long framesExpected = accepted.values().stream().mapToLong(ClipRow::getFramesWritten).sum();
        List<String> countProblems = new ArrayList<>();
        if (version.get("totals").get("frames").asLong() != frames.size()) {
            countProblems.add("totals.frames " + version.get("totals").get("frames").asLong() + " vs " + frames.size() + " frame rows");
        }
        if (version.get("totals").get("clips_accepted").asLong() != accepted.size()) {
            countProblems.add("totals.clips_accepted " + version.get("totals").get("clips_accepted").asLong() + " vs "
                    + accepted.size() + " accepted rows");
        }
        if (framesExpected != frames.size()) countProblems.add("accepted rows list " + framesExpected + " frames, shards hold " + frames.size());
        for (FrameRow f : frames) {
            if (!accepted.containsKey(f.getClipId())) {
                countProblems.add("frame " + f.getKey() + " belongs to no accepted clip");
                break;
            }
        }
        checks.add(new HtmlReport.Check("totals match the manifests", missing.isEmpty() && countProblems.isEmpty(),
                !missing.isEmpty() ? "not checkable: files are missing"
                        : countProblems.isEmpty() ? accepted.size() + " accepted clips, " + frames.size() + " frames"
                        : String.join("; ", countProblems)));

        // policy: on a version with missing files the rows are incomplete, and a pass would mean nothing
        String scope = version.path("config").path("consent_scope").asText("training");
        String notCheckable = !missing.isEmpty() ? "not checkable: files are missing"
                : consent == null ? "cannot be shown: " + consentProblem : null;
        if (notCheckable != null) {
            checks.add(new HtmlReport.Check("no revoked donor", false, notCheckable));
        } else {
            Set<String> revoked = consent.revokedAt(scope, System.currentTimeMillis());
            // a no_consent row is the record of refusing the donor's clip: no footage of theirs was ever read
            long clipRows = rows.stream().filter(r -> revoked.contains(r.getDonorPseudonym())
                    && !RejectReason.NO_CONSENT.code().equals(r.getReason())).count();
            long frameRows = frames.stream().filter(f -> revoked.contains(f.getDonorPseudonym())).count();
            Set<String> donorsHeld = new TreeSet<>();
            rows.stream().filter(r -> revoked.contains(r.getDonorPseudonym())).forEach(r -> donorsHeld.add(r.getDonorPseudonym()));
            checks.add(new HtmlReport.Check("no revoked donor", clipRows + frameRows == 0, clipRows + frameRows == 0
                    ? revoked.size() + " donor(s) have revoked consent for " + scope + "; none has a row here"
                    + (consent.invalidEvents() == 0 ? "" : " (" + consent.invalidEvents()
                    + " invalid consent event(s) on the topic were ignored, as the job ignores them; first: "
                    + String.join("; ", consent.invalidExamples().subList(0, Math.min(3, consent.invalidExamples().size()))) + ")")
                    : donorsHeld.size() + " donor(s) who revoked still have " + clipRows + " clip row(s) and " + frameRows
                    + " frame(s) here: run scripts/curate purge, then audit the new version"));
        }

        long unverified = frames.stream().filter(f -> f.getAnonymiser() == null || !f.getAnonymiser().contains("verified by")
                || f.getFacesDetected() == null || f.getBoxesAnonymised() == null).count();
        checks.add(new HtmlReport.Check("every frame's anonymisation verified", missing.isEmpty() && unverified == 0,
                !missing.isEmpty() ? "not checkable: files are missing" : unverified == 0
                ? frames.size() + " frames anonymised by the privacy stage and checked by its verifier"
                : unverified + " frame(s) without a verified anonymisation record"));

        Map<String, Integer> idCount = new HashMap<>();
        Map<String, Integer> shaCount = new HashMap<>();
        for (ClipRow r : accepted.values()) shaCount.merge(r.getSha256(), 1, Integer::sum);
        for (ClipRow r : rows) if (Decisions.ACCEPTED.equals(r.getDecision())) idCount.merge(r.getClipId(), 1, Integer::sum);
        long twiceById = idCount.values().stream().filter(n -> n > 1).count();
        long twiceBySha = shaCount.values().stream().filter(n -> n > 1).count();
        long acceptedDuplicates = rows.stream().filter(r -> Decisions.DUPLICATE.equals(r.getDecision())
                && accepted.containsKey(r.getClipId())).count();
        boolean unique = twiceById + twiceBySha + acceptedDuplicates == 0;
        checks.add(new HtmlReport.Check("no duplicate clip", missing.isEmpty() && unique,
                !missing.isEmpty() ? "not checkable: files are missing" : unique
                ? accepted.size() + " accepted clips, each id and each file (sha256) once"
                : twiceById + " clip id(s) accepted twice, " + twiceBySha + " file(s) accepted twice, "
                + acceptedDuplicates + " accepted clip(s) also judged duplicates"));

        if (notCheckable != null) {
            checks.add(new HtmlReport.Check("consent valid at build time", false, notCheckable));
        } else {
            int valid = 0;
            List<String> invalid = new ArrayList<>();
            for (ClipRow r : accepted.values()) {
                ConsentHistory h = consent.history(r.getDonorPseudonym());
                boolean ok = r.getConsentCheckedAt() != null && h != null
                        && h.grantAt(scope, Instant.parse(r.getConsentCheckedAt()).toEpochMilli()) != null;
                if (ok) valid++;
                else invalid.add(r.getClipId() + (r.getConsentCheckedAt() == null ? " (built before consent was checked)" : ""));
            }
            checks.add(new HtmlReport.Check("consent valid at build time", invalid.isEmpty(), invalid.isEmpty()
                    ? valid + " accepted clips, each with a grant for " + scope + " on the consent topic as of when it was judged"
                    : invalid.size() + " accepted clip(s) without a grant at build time, e.g. " + invalid.get(0)));
        }

        List<ClipRow> parentRows = parent == null ? List.of() : readRows(versions, parent, missingOf(parent));
        return new Outcome(version, parent, rows, parentRows, checks, samples);
    }

    private HtmlReport.Check chain(JsonNode version) throws IOException {
        VersionSealer sealer = new VersionSealer(layout);
        DatasetVersions versions = new DatasetVersions(layout);
        JsonNode v = version;
        int links = 0;
        while (!v.get("parent").isNull()) {
            JsonNode parent;
            try {
                parent = versions.version(v.get("parent").asText());
            } catch (IOException e) {
                return new HtmlReport.Check("parent hash chain intact", false, v.get("name").asText() + "'s parent is gone: " + e.getMessage());
            }
            String actual = sealer.versionSha256(parent.get("version").asInt());
            if (!actual.equals(v.get("parent_sha256").asText())) {
                return new HtmlReport.Check("parent hash chain intact", false, parent.get("name").asText()
                        + " was changed after " + v.get("name").asText() + " was sealed: sha256 " + actual.substring(0, 12)
                        + "… instead of " + v.get("parent_sha256").asText().substring(0, 12) + "…");
            }
            links++;
            v = parent;
        }
        return new HtmlReport.Check("parent hash chain intact", true,
                links == 0 ? "first version: no parent" : links + " link(s) back to " + v.get("name").asText());
    }

    private List<ClipRow> readRows(DatasetVersions versions, JsonNode version, List<String> missing) throws IOException {
        List<ClipRow> rows = new ArrayList<>();
        for (Path p : versions.clipManifests(version)) {
            String rel = layout.relative(p);
            if (missing.contains(rel)) continue;
            rows.addAll(ManifestFiles.readWithout(p, ClipRow.class, Set.of("fingerprint")));
        }
        return rows;
    }

    private List<String> missingOf(JsonNode version) throws IOException {
        FileSystem fs = layout.datasetDir().getFileSystem();
        List<String> missing = new ArrayList<>();
        for (JsonNode f : version.get("files")) {
            if (!fs.exists(new Path(layout.datasetDir(), f.get("path").asText()))) missing.add(f.get("path").asText());
        }
        return missing;
    }

    private boolean collected(JsonNode version) throws IOException {
        return new dev.clipcurate.pipeline.erasure.ShardCollector(layout).collectedVersions().contains(version.get("name").asText());
    }


}
