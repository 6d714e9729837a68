package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.dedup.ClipFingerprint;
import dev.clipcurate.pipeline.dedup.ClipFingerprinter;
import dev.clipcurate.pipeline.dedup.ClipMatcher;
import dev.clipcurate.pipeline.dedup.DedupSettings;
import dev.clipcurate.pipeline.dedup.IndexHit;
import dev.clipcurate.pipeline.dedup.IndexKeys;
import dev.clipcurate.pipeline.dedup.IndexBatch;
import dev.clipcurate.pipeline.dedup.Votes;
import dev.clipcurate.pipeline.dedup.PdqHasher;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Precision and recall of near-duplicate detection on a labelled variant set, and the cost of hashing. */
@Command(name = "eval-dedup", mixinStandardHelpOptions = true,
        description = {"Measures the dedup stage on the labelled variant set that scripts/make-dedup-set builds with "
                + "ffmpeg from real footage: originals o_<event>.<ext> and variants v_<event>_<transform>.<ext>. "
                + "Every pair of files goes through the motion index (candidates) and the motion matcher, as in the job. "
                + "Reports recall per transform (original vs. variant), precision over all pairs, false matches "
                + "between different events of the same fixed camera, and milliseconds of hashing per frame."})
final class EvalDedupCommand implements java.util.concurrent.Callable<Integer> {
    private static final Pattern NAME = Pattern.compile("([ov])_([a-z0-9]+)(?:_([a-z0-9]+))?\\.[a-z0-9]+");

    @Option(names = "--set", paramLabel = "DIR", defaultValue = ".cache/dedup-eval",
            description = "The variant set (default: ${DEFAULT-VALUE}).")
    Path set;

    @Option(names = "--threshold", paramLabel = "R", description = "Match threshold (default: the job's, 0.55).")
    Double threshold;

    @Option(names = "--same-camera", paramLabel = "PREFIX", defaultValue = "cam",
            description = "Events whose names start with this prefix come from one fixed camera (default: ${DEFAULT-VALUE}).")
    String sameCamera;

    @Option(names = "--same-move", paramLabel = "PREFIX", split = ",", defaultValue = "pan,zoom",
            description = "Events whose names start with one of these prefixes share one camera move over different "
                    + "scenes (default: ${DEFAULT-VALUE}); they must never match.")
    List<String> sameMove;

    @Option(names = "--skip", paramLabel = "PREFIX", split = ",",
            description = "Leave out events whose names start with these prefixes (to keep them aside while tuning).")
    List<String> skip = List.of();

    @Mixin
    IndexLayoutOptions layoutOptions;

    @Option(names = "--index-only", hidden = true, description = "Only the index's candidates and votes (no matching: fast, for tuning).")
    boolean indexOnly;

    @Option(names = "--fingerprint-cache", paramLabel = "DIR", hidden = true,
            description = "Keep fingerprints here between runs (for tuning the index; hashing cost is then not measured).")
    Path cache;

    record Clip(String file, String event, String transform, ClipFingerprint fp) {}

    @Override
    public Integer call() throws Exception {
        org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
        List<Path> files;
        try (Stream<Path> s = Files.list(set)) {
            files = s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        if (files.isEmpty()) {
            System.err.println("No o_*/v_* clips in " + set + ": run scripts/make-dedup-set first.");
            return 2;
        }
        DecodeLimits limits = DedupSettings.fingerprintLimits(DecodeLimits.defaults()); // as the job fingerprints
        ClipDecoder decoder = new ClipDecoder(limits);
        PdqHasher hasher = new PdqHasher();
        List<Clip> clips = new ArrayList<>();
        long decodeNanos = 0, fingerprintNanos = 0, frames = 0, hashedFrames = 0;
        for (Path p : files) {
            Matcher m = NAME.matcher(p.getFileName().toString());
            m.matches();
            if (skip.stream().anyMatch(m.group(2)::startsWith)) continue;
            Path cached = cache == null ? null : cache.resolve(p.getFileName() + ".fp");
            ClipFingerprint fp;
            if (cached != null && Files.isRegularFile(cached)
                    && Files.getLastModifiedTime(cached).compareTo(Files.getLastModifiedTime(p)) > 0) {
                fp = ClipFingerprint.fromBytes(p.getFileName().toString(), "", 1, java.nio.ByteBuffer.wrap(Files.readAllBytes(cached)));
            } else {
                long t0 = System.nanoTime();
                decoder.decode(p.toFile(), (i, ts, image) -> { });
                long t1 = System.nanoTime();
                ClipFingerprinter fingerprinter = new ClipFingerprinter(hasher);
                decoder.decode(p.toFile(), (i, ts, image) -> fingerprinter.add(ts, image));
                long t2 = System.nanoTime();
                fp = fingerprinter.build(p.getFileName().toString(), "", 1);
                decodeNanos += t1 - t0;
                fingerprintNanos += (t2 - t1) - (t1 - t0);
                hashedFrames += fp.frames();
                if (cached != null) {
                    Files.createDirectories(cache);
                    Files.write(cached, fp.toBytes());
                }
            }
            frames += fp.frames();
            clips.add(new Clip(p.getFileName().toString(), m.group(2), m.group(1).equals("o") ? "original" : m.group(3), fp));
            System.err.printf("  %-28s %3d frames%n", p.getFileName(), fp.frames());
        }

        IndexKeys.Layout layout = layoutOptions.layout();
        // the index as the job builds it: a clip's lookups meet the postings of clips before it; recall counts a
        // pair as a candidate only if it is found whichever of the two comes first
        List<Map<Integer, byte[]>> stored = new ArrayList<>();
        List<List<IndexBatch>> lookups = new ArrayList<>();
        long storedPostings = 0, lookupKeys = 0;
        for (Clip c : clips) {
            List<IndexBatch> batches = IndexBatch.of(c.fp(), layout, 1);
            List<IndexBatch> mine = batches.stream().filter(b -> !b.stored).toList();
            List<IndexBatch> kept = batches.stream().filter(b -> b.stored).toList();
            storedPostings += kept.stream().mapToInt(b -> b.sketches.length).sum();
            lookupKeys += mine.stream().mapToInt(b -> b.keys.length).sum();
            stored.add(IndexKeys.postingsByKey(kept));
            lookups.add(mine);
        }
        int[][] votes = new int[clips.size()][clips.size()];
        for (int x = 0; x < clips.size(); x++) {
            for (int y = 0; y < clips.size(); y++) {
                if (x == y) continue;
                IndexHit hits = IndexKeys.hits(lookups.get(x), stored.get(y), layout);
                votes[x][y] = Votes.ranked(List.of(hits), 1).stream().mapToInt(Votes.Candidate::votes).findFirst().orElse(0);
            }
        }
        Set<String> oneWay = new HashSet<>();
        Set<String> bothWays = new HashSet<>();
        for (int a = 0; a < clips.size(); a++) {
            for (int b = a + 1; b < clips.size(); b++) {
                if (votes[a][b] > 0 || votes[b][a] > 0) oneWay.add(a + "," + b);
                if (votes[a][b] > 0 && votes[b][a] > 0) bothWays.add(a + "," + b);
            }
        }
        Set<String> candidates = bothWays;
        if (indexOnly) {
            int copies = 0, copiesFound = 0;
            List<String> missed = new ArrayList<>();
            for (int a = 0; a < clips.size(); a++) {
                for (int b = a + 1; b < clips.size(); b++) {
                    Clip x = clips.get(a), y = clips.get(b);
                    if (!x.event().equals(y.event()) || !("original".equals(x.transform()) || "original".equals(y.transform()))) continue;
                    copies++;
                    if (candidates.contains(a + "," + b)) copiesFound++;
                    else missed.add(x.file() + " ~ " + y.file() + " (votes " + votes[a][b] + " and " + votes[b][a] + ")");
                }
            }
            System.out.printf("index only: %d/%d copy pairs are candidates both ways; %d candidate pairs of %d; %.1f postings "
                            + "stored per clip, %.0f keys looked up per clip%n", copiesFound, copies, oneWay.size(),
                    clips.size() * (clips.size() - 1) / 2, (double) storedPostings / clips.size(), (double) lookupKeys / clips.size());
            rankAgainstOtherEvents(clips, votes);
            missed.forEach(m -> System.out.println("  not a candidate: " + m));
            return 0;
        }
        ClipMatcher matcher = new ClipMatcher(threshold != null ? threshold : DedupSettings.defaults().matchThreshold());
        int tp = 0, fp = 0, sameCameraPairs = 0, sameCameraFalse = 0, sameMovePairs = 0, sameMoveFalse = 0;
        int candidatePairs = oneWay.size();
        Distances distances = new Distances();
        double closestOtherEvent = 2, farthestVariant = -1;
        long matchNanos = 0;
        int matchCalls = 0;
        Map<String, int[]> perTransform = new TreeMap<>();
        Map<String, Integer> mirroredFound = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (int a = 0; a < clips.size(); a++) {
            for (int b = a + 1; b < clips.size(); b++) {
                Clip x = clips.get(a), y = clips.get(b);
                boolean same = x.event().equals(y.event());
                boolean candidate = candidates.contains(a + "," + b);
                long t0 = System.nanoTime();
                ClipMatcher.Match match = matcher.match(y.fp(), x.fp());
                matchNanos += System.nanoTime() - t0;
                matchCalls++;
                boolean predicted = candidate && match.matched();
                if (!same && !match.staticClips()) closestOtherEvent = Math.min(closestOtherEvent, match.distance());
                if (predicted && same) tp++;
                if (predicted && !same) {
                    fp++;
                    failures.add(String.format("false match %s ~ %s (distance %.3f)", x.file(), y.file(), match.distance()));
                }
                boolean cameraPair = !same && x.event().startsWith(sameCamera) && y.event().startsWith(sameCamera);
                if (cameraPair) {
                    sameCameraPairs++;
                    if (predicted) sameCameraFalse++;
                }
                boolean movePair = !same && sameMove.stream().anyMatch(p -> x.event().startsWith(p) && y.event().startsWith(p));
                if (movePair) {
                    sameMovePairs++;
                    if (predicted) sameMoveFalse++;
                }
                boolean copyPair = same && ("original".equals(x.transform()) || "original".equals(y.transform()));
                String category = copyPair ? "copy (original-variant)" : same ? null
                        : cameraPair ? "one fixed camera, other event" : movePair ? "one camera move, other scene" : "unrelated";
                if (category != null) {
                    distances.add(category, match.staticClips() ? Double.NaN : match.distance(),
                            matcher.matchStill(y.fp(), x.fp()).distance() * 256, Math.min(votes[a][b], votes[b][a]));
                }
                Clip original = "original".equals(x.transform()) ? x : "original".equals(y.transform()) ? y : null;
                Clip variant = original == x ? y : x;
                if (same && original != null && variant != original) {
                    int[] counts = perTransform.computeIfAbsent(variant.transform(), k -> new int[2]);
                    counts[1]++;
                    farthestVariant = Math.max(farthestVariant, match.distance());
                    if (predicted) {
                        counts[0]++;
                        if (match.mirrored()) mirroredFound.merge(variant.transform(), 1, Integer::sum);
                    } else {
                        failures.add(String.format("missed %s ~ %s (candidate %s, votes %d and %d, distance %.3f)",
                                original.file(), variant.file(), candidate, votes[a][b], votes[b][a], match.distance()));
                    }
                }
            }
        }
        int found = perTransform.values().stream().mapToInt(c -> c[0]).sum();
        int total = perTransform.values().stream().mapToInt(c -> c[1]).sum();
        System.out.printf("Variant set %s: %d clips, %d events, %d frames; threshold %.2f%n", set, clips.size(),
                clips.stream().map(Clip::event).distinct().count(), frames, matcher.threshold());
        System.out.printf("%-14s %8s%n", "transform", "recall");
        perTransform.forEach((t, c) -> System.out.printf("%-14s %3d/%-3d %6.1f%%%s%n", t, c[0], c[1], 100.0 * c[0] / c[1],
                mirroredFound.containsKey(t) ? "  (" + mirroredFound.get(t) + " reported as mirrored)" : ""));
        System.out.printf("recall over all transforms: %d/%d = %.3f%n", found, total, (double) found / total);
        System.out.printf("precision over all %d pairs: %d matched, %d false = %.4f%n",
                clips.size() * (clips.size() - 1) / 2, tp + fp, fp, tp + fp == 0 ? 1.0 : (double) tp / (tp + fp));
        System.out.printf("same fixed camera, different events: %d false matches in %d pairs%n", sameCameraFalse, sameCameraPairs);
        System.out.printf("distance (1 - motion correlation): closest pair of different events %.3f, farthest original-variant pair %.3f, "
                + "threshold %.3f%n", closestOtherEvent, farthestVariant, 1 - matcher.threshold());
        System.out.printf("index (%d-bit motion keys, an anchor every %d frames, %d bits probed flipped, %d for crops, sketches within %d bits): "
                        + "%d candidate pairs of %d; %.1f postings stored per clip (%.2f per sampled frame), %.0f keys looked up per clip%n",
                layout.keyBits(), layout.anchorEvery(), layout.flips(), layout.cropFlips(), layout.motionBits(), candidatePairs,
                clips.size() * (clips.size() - 1) / 2, (double) storedPostings / clips.size(),
                (double) storedPostings / frames, (double) lookupKeys / clips.size());
        System.out.printf("same camera move over different scenes: %d false matches in %d pairs%n", sameMoveFalse, sameMovePairs);
        rankAgainstOtherEvents(clips, votes);
        distances.print();
        if (hashedFrames > 0) {
            System.out.printf("hashing: %.2f ms per frame (11 PDQ hashes + motion grid) beside %.2f ms decoding = %.2fx decoding cost%n",
                    fingerprintNanos / 1e6 / hashedFrames, decodeNanos / 1e6 / hashedFrames, (double) fingerprintNanos / decodeNanos);
        }
        System.out.printf("matching: %.2f ms per clip pair%n", matchNanos / 1e6 / matchCalls);
        failures.forEach(f -> System.out.println("  " + f));
        return 0;
    }

    /**
     * Whether each copy would still reach the matcher in a crowded index: the job sends a clip's {@link Votes#MAX_CANDIDATES}
     * best-voted earlier clips on; here the competition is every other event (its best clip), in both directions.
     */
    private static void rankAgainstOtherEvents(List<Clip> clips, int[][] votes) {
        int copies = 0, outranked = 0, beaten = 0;
        List<String> weak = new ArrayList<>();
        for (int x = 0; x < clips.size(); x++) {
            for (int y = 0; y < clips.size(); y++) {
                Clip a = clips.get(x), b = clips.get(y);
                if (x == y || !a.event().equals(b.event())) continue;
                if (!"original".equals(a.transform()) && !"original".equals(b.transform())) continue;
                copies++;
                Set<String> above = new HashSet<>();
                for (int z = 0; z < clips.size(); z++) {
                    if (!clips.get(z).event().equals(a.event()) && votes[x][z] >= votes[x][y]) above.add(clips.get(z).event());
                }
                if (!above.isEmpty()) beaten++;
                if (above.size() >= Votes.MAX_CANDIDATES || votes[x][y] == 0) {
                    outranked++;
                    weak.add(a.file() + " -> " + b.file() + " (" + votes[x][y] + " votes)");
                }
            }
        }
        System.out.printf("votes: %d of %d copy lookups (either direction) tie with or are outvoted by another event's clip; "
                + "%d would fall outside the best %d%n", beaten, copies, outranked, Votes.MAX_CANDIDATES);
        weak.forEach(w -> System.out.println("  outvoted " + w));
    }

    /** Distance distributions per kind of pair: the figures the index and matcher were designed from. */
    static final class Distances {
        private final Map<String, List<double[]>> byCategory = new TreeMap<>();

        void add(String category, double motionDistance, double pdqBits, int votes) {
            byCategory.computeIfAbsent(category, k -> new ArrayList<>()).add(new double[] {motionDistance, pdqBits, votes});
        }

        void print() {
            System.out.printf("%-32s %6s  %-34s  %-34s  %s%n", "pairs", "count", "motion distance min/p5/median/p95/max",
                    "PDQ bits (closest, aligned) same", "index votes (both ways) same");
            byCategory.forEach((category, rows) -> System.out.printf("%-32s %6d  %-34s  %-34s  %s%n", category, rows.size(),
                    spread(rows, 0, "%.2f"), spread(rows, 1, "%.0f"), spread(rows, 2, "%.0f")));
        }

        private static String spread(List<double[]> rows, int column, String format) {
            double[] v = rows.stream().mapToDouble(r -> r[column]).filter(d -> !Double.isNaN(d)).sorted().toArray();
            if (v.length == 0) return "-";
            StringBuilder out = new StringBuilder();
            for (double q : new double[] {0, 0.05, 0.5, 0.95, 1}) {
                if (out.length() > 0) out.append('/');
                out.append(String.format(format, v[(int) Math.round(q * (v.length - 1))]));
            }
            return out.toString();
        }
    }
}
