package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.dedup.BandKeys;
import dev.clipcurate.pipeline.dedup.ClipFingerprint;
import dev.clipcurate.pipeline.dedup.ClipFingerprinter;
import dev.clipcurate.pipeline.dedup.ClipMatcher;
import dev.clipcurate.pipeline.dedup.DedupSettings;
import dev.clipcurate.pipeline.dedup.PdqHash;
import dev.clipcurate.pipeline.dedup.PdqHasher;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeLimits;
import picocli.CommandLine.Command;
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
                + "Every pair of files goes through the band index (candidates) and the motion matcher, as in the job. "
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

    @Option(names = "--candidate-bits", hidden = true)
    int candidateBits = BandKeys.CANDIDATE_BITS;

    @Option(names = "--slots", hidden = true)
    int slots = BandKeys.Layout.DEFAULT.slots();

    @Option(names = "--store-stride", hidden = true)
    int storeStride = BandKeys.Layout.DEFAULT.storeStride();

    @Option(names = "--same-clip-bits", hidden = true)
    int sameClipBits = BandKeys.Layout.DEFAULT.sameClipBits();

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

        BandKeys.Layout layout = new BandKeys.Layout(slots, storeStride, sameClipBits);
        // the index as the job builds it: each clip's queries meet the entries stored by clips before it; recall
        // counts a pair as a candidate only if it is found whichever of the two comes first
        List<List<BandKeys.Entry>> stored = new ArrayList<>();
        List<List<BandKeys.Entry>> queries = new ArrayList<>();
        long storedEntries = 0, queryEntries = 0;
        for (Clip c : clips) {
            stored.add(BandKeys.stored(c.fp(), layout));
            queries.add(BandKeys.queries(c.fp(), layout));
            storedEntries += stored.get(stored.size() - 1).size();
            queryEntries += queries.get(queries.size() - 1).size();
        }
        Map<String, Integer> closest = new HashMap<>();
        Set<String> oneWay = new HashSet<>();
        Set<String> bothWays = new HashSet<>();
        for (boolean forward : new boolean[] {true, false}) {
            Map<Integer, List<Object[]>> bands = new HashMap<>();
            Set<String> found = new HashSet<>();
            for (int k = 0; k < clips.size(); k++) {
                int c = forward ? k : clips.size() - 1 - k;
                for (BandKeys.Entry e : queries.get(c)) {
                    for (Object[] other : bands.getOrDefault(e.bandKey(), List.of())) {
                        int o = (Integer) other[0];
                        String pair = Math.min(o, c) + "," + Math.max(o, c);
                        int d = PdqHash.distance(e.hash(), (long[]) other[1]);
                        closest.merge(pair, d, Math::min);
                        if (d <= candidateBits) found.add(pair);
                    }
                }
                for (BandKeys.Entry e : stored.get(c)) {
                    bands.computeIfAbsent(e.bandKey(), key -> new ArrayList<>()).add(new Object[] {c, e.hash()});
                }
            }
            if (forward) {
                oneWay.addAll(found);
                bothWays.addAll(found);
            } else {
                bothWays.retainAll(found);
                oneWay.addAll(found);
            }
        }

        Set<String> candidates = bothWays;
        ClipMatcher matcher = new ClipMatcher(threshold != null ? threshold : DedupSettings.defaults().matchThreshold());
        int tp = 0, fp = 0, sameCameraPairs = 0, sameCameraFalse = 0, candidatePairs = oneWay.size();
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
                if (!same && x.event().startsWith(sameCamera) && y.event().startsWith(sameCamera)) {
                    sameCameraPairs++;
                    if (predicted) sameCameraFalse++;
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
                        failures.add(String.format("missed %s ~ %s (candidate %s, closest band hashes %s bits, distance %.3f)",
                                original.file(), variant.file(), candidate, closest.get(a + "," + b), match.distance()));
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
        System.out.printf("band index (%d slots, stores every %d. frame, not within %d bits of a stored hash): %d candidate "
                        + "pairs of %d; stored %.0f entries per clip (%.2f per sampled frame), queried %.0f per clip%n",
                layout.slots(), layout.storeStride(), layout.sameClipBits(), candidatePairs,
                clips.size() * (clips.size() - 1) / 2, (double) storedEntries / clips.size(),
                (double) storedEntries / frames, (double) queryEntries / clips.size());
        if (hashedFrames > 0) {
            System.out.printf("hashing: %.2f ms per frame (11 PDQ hashes + motion grid) beside %.2f ms decoding = %.2fx decoding cost%n",
                    fingerprintNanos / 1e6 / hashedFrames, decodeNanos / 1e6 / hashedFrames, (double) fingerprintNanos / decodeNanos);
        }
        System.out.printf("matching: %.2f ms per clip pair%n", matchNanos / 1e6 / matchCalls);
        failures.forEach(f -> System.out.println("  " + f));
        return 0;
    }
}
