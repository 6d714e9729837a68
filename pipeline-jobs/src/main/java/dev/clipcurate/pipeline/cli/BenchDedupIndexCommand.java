package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clipcurate.pipeline.dedup.CandidatePair;
import dev.clipcurate.pipeline.dedup.ClipFingerprint;
import dev.clipcurate.pipeline.dedup.ClipKey;
import dev.clipcurate.pipeline.dedup.DedupStage;
import dev.clipcurate.pipeline.dedup.EventIndex;
import dev.clipcurate.pipeline.dedup.IndexKeys;
import dev.clipcurate.pipeline.dedup.PdqHash;
import dev.clipcurate.pipeline.dedup.SyntheticFingerprints;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Size and lookup cost of the dedup index in Flink keyed state, at growing numbers of indexed clips. */
@Command(name = "bench-dedup-index", mixinStandardHelpOptions = true,
        description = {"Fills the dedup index (the job's own operators: index keys, EventIndex, CandidateVotes, in Flink "
                + "keyed state on a local MiniCluster) with N synthetic clips as a build seeds it from earlier versions, "
                + "then looks up --queries new clips one at a time, as in a streaming run: half of them re-encoded copies "
                + "of indexed clips, half new events. Writes target/bench/dedup-index-<N>.json per N and prints a table.",
                "The synthetic clips are events of fixed cameras: --busy-camera of them come from one camera (people "
                        + "walking its one path at their own times), the rest from cameras of --clips-per-camera clips. "
                        + "Fields: clips, lookup_cpu_ms_per_clip (the index operator's and the vote's CPU per looked-up "
                        + "clip), keying_cpu_ms_per_clip (computing a clip's sketches and keys, once per clip), "
                        + "state_bytes_per_clip (the index's keys and postings as serialised into RocksDB), "
                        + "disk_peak_bytes_per_clip (RocksDB's files of the index, peak, compaction included), "
                        + "postings_per_clip, keys_per_lookup, keys_read_per_lookup (keys holding postings), postings_read_per_clip, postings_spilled (moved into overflow keys by splits), postings_dropped (by full keys at the deepest level), "
                        + "planted_found, planted, key_fill (keys holding at least k postings), "
                        + "legacy_band_key_fill (the same clips under the previous 16-bit band keys), wall_s."})
final class BenchDedupIndexCommand implements Callable<Integer> {
    @Option(names = "--clips", split = ",", defaultValue = "100000,1000000",
            description = "Index sizes to measure, comma-separated (default: ${DEFAULT-VALUE}; 10000000 takes hours here).")
    List<Integer> sizes;

    @Option(names = "--queries", defaultValue = "1000", description = "Clips looked up per size (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--frames", defaultValue = "32",
            description = "Sampled frames per synthetic clip, 2 per second (default: ${DEFAULT-VALUE}, a 16-s clip).")
    int frames;

    @Option(names = "--busy-camera", defaultValue = "0.2",
            description = "Share of all clips filmed by one camera (default: ${DEFAULT-VALUE}, like a donor of 200,000 of 1M clips).")
    double busyShare;

    @Option(names = "--clips-per-camera", defaultValue = "100",
            description = "Clips per camera for the other cameras (default: ${DEFAULT-VALUE}).")
    int clipsPerCamera;

    @Option(names = "--state-backend", defaultValue = "rocksdb",
            description = "hashmap or rocksdb (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    @Option(names = "--managed-memory", defaultValue = "1g",
            description = "Flink managed memory of the task manager, RocksDB's block cache and write buffers (default: ${DEFAULT-VALUE}).")
    String managedMemory;

    @Option(names = "--parallelism", defaultValue = "2", description = "Index subtasks (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--out", defaultValue = "target/bench", description = "Where the JSON files go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--no-legacy", description = "Skip counting the previous band keys' fill (a pass over all N clips).")
    boolean noLegacy;

    @Mixin
    IndexLayoutOptions layoutOptions;

    @Option(names = "--cap", hidden = true)
    int cap = EventIndex.DEFAULT_CAP;

    static final String PLANTED_FOUND = "planted-copies-found";
    static final long BUSY = 0;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        System.out.printf("%10s %14s %14s %12s %12s %10s %8s %8s%n", "clips", "lookup ms/clip", "keying ms/clip",
                "state B/clip", "disk B/clip", "postings", "copies", "wall s");
        for (int n : sizes) {
            Path work = Files.createTempDirectory("curate-bench-index");
            try {
                long started = System.nanoTime();
                Map<String, Object> r = run(n, work);
                r.put("wall_s", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
                if (!noLegacy) r.put("legacy_band_key_fill", legacyBandKeyFill(n));
                Path json = out.resolve("dedup-index-" + n + ".json");
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), r);
                System.out.printf("%10d %14.3f %14.3f %12.0f %12.0f %10.1f %5s/%-3s %7.0f   %s%n", n, r.get("lookup_cpu_ms_per_clip"),
                        r.get("keying_cpu_ms_per_clip"), r.get("state_bytes_per_clip"), r.get("disk_peak_bytes_per_clip"),
                        r.get("postings_per_clip"), r.get("planted_found"), r.get("planted"), r.get("wall_s"), json);
            } finally {
                deleteTree(work);
            }
        }
        return 0;
    }

    /** Which camera clip {@code i} comes from: the busy one for a --busy-camera share, else one of N / --clips-per-camera. */
    static long cameraOf(long i, int n, double busyShare, int clipsPerCamera) {
        long mixed = ClipKey.of("camera-of-" + i);
        if (Long.remainderUnsigned(mixed, 10_000) < busyShare * 10_000) return BUSY;
        return 1 + Long.remainderUnsigned(mixed >>> 17, Math.max(1, n / clipsPerCamera));
    }

    private Map<String, Object> run(int n, Path work) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("execution.runtime-mode", "STREAMING");
        conf.setString("parallelism.default", Integer.toString(parallelism));
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(parallelism));
        conf.setString("state.backend.type", stateBackend);
        conf.setString("taskmanager.memory.managed.size", managedMemory);
        conf.setString("state.backend.rocksdb.localdir", work.resolve("rocksdb").toString());
        DedupStage.ROCKSDB_SETTINGS.forEach(conf::setString); // as the job

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        int clipFrames = frames, q = queries, perCamera = clipsPerCamera;
        double busy = busyShare;
        // index sizes up to 1M and more: the seeds are generated in the job, not shipped from here
        DataStream<ClipFingerprint> seeds = env.fromSequence(0, n - 1)
                .map(i -> SyntheticFingerprints.cameraClip(cameraOf(i, n, busy, perCamera), i, "c" + i, null, 0, clipFrames),
                        TypeInformation.of(ClipFingerprint.class))
                .name("synthetic indexed clips");
        DataStream<ClipFingerprint> lookups = env.fromSequence(0, q - 1)
                // each its own stamp, as in a streaming run: each clip's lookups read the index on their own
                .map(i -> {
                    if (i % 2 == 0) {
                        long source = i * (n / q);
                        ClipFingerprint original = SyntheticFingerprints.cameraClip(cameraOf(source, n, busy, perCamera),
                                source, "c" + source, null, 0, clipFrames);
                        return SyntheticFingerprints.resubmitted(original, i, "q" + i + "-copy-of-c" + source, null, 1 + i);
                    }
                    return SyntheticFingerprints.cameraClip(cameraOf(n + i, n, busy, perCamera), n + i, "q" + i, null, 1 + i, clipFrames);
                }, TypeInformation.of(ClipFingerprint.class))
                .name("synthetic new clips")
                .assignTimestampsAndWatermarks(WatermarkStrategy.<ClipFingerprint>forMonotonousTimestamps()
                        .withTimestampAssigner((f, previous) -> f.epoch));
        IndexKeys.Layout layout = layoutOptions.layout();
        DedupStage.candidates(seeds.union(lookups), layout, cap)
                .keyBy((KeySelector<CandidatePair, String>) p -> p.clipId, Types.STRING)
                .process(new CountPlantedCopies()).name("planted copies")
                .sinkTo(new DiscardingSink<>());

        AtomicLong peakDisk = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        long started = System.nanoTime();
        Thread watcher = new Thread(() -> {
            long reported = started;
            while (running.get()) {
                long size = indexDiskSize(work.resolve("rocksdb"));
                peakDisk.accumulateAndGet(size, Math::max);
                if (System.nanoTime() - reported > 30e9) {
                    reported = System.nanoTime();
                    System.err.printf("  … %d clips: %.0f s, index on disk %.1f MB%n", n, (reported - started) / 1e9, size / 1e6);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rocksdb-size");
        watcher.setDaemon(true);
        watcher.start();
        MiniClusterConfiguration cfg = new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(parallelism).build();
        JobExecutionResult result;
        try (MiniCluster cluster = new MiniCluster(cfg)) {
            cluster.start();
            result = cluster.executeJobBlocking(env.getStreamGraph().getJobGraph());
        } finally {
            running.set(false);
            watcher.join();
        }
        long postings = counter(result, EventIndex.POSTINGS), keys = counter(result, EventIndex.KEYS);
        long indexed = n + (long) q;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("clips", n);
        r.put("lookup_cpu_ms_per_clip", counter(result, EventIndex.LOOKUP_NANOS) / 1e6 / q);
        r.put("of_which_pending_ms_per_clip", counter(result, EventIndex.PENDING_NANOS) / 1e6 / q);
        r.put("of_which_answer_ms_per_clip", counter(result, EventIndex.ANSWER_NANOS) / 1e6 / q);
        r.put("hits_per_clip", counter(result, EventIndex.HITS) / (double) q);
        r.put("keying_cpu_ms_per_clip", counter(result, dev.clipcurate.pipeline.dedup.IndexKeying.NANOS) / 1e6 / indexed);
        // RocksDB row per state key (index key or overflow key; a key that split is gone): key group (2) + route
        // (4) + namespace (1) + state key (8); value: null flag (1) + length (4) + 36 bytes per posting
        r.put("state_bytes_per_clip", (keys * (2 + 4 + 1 + 8 + 1 + 4) + postings * 36.0) / indexed);
        r.put("disk_peak_bytes_per_clip", peakDisk.get() / (double) indexed);
        r.put("postings_per_clip", postings / (double) indexed);
        r.put("postings_dropped", counter(result, EventIndex.POSTINGS_DROPPED));
        r.put("postings_spilled", counter(result, EventIndex.POSTINGS_SPILLED));
        r.put("keys", keys);
        r.put("keys_per_lookup", counter(result, EventIndex.LOOKUPS) / (double) q);
        r.put("keys_read_per_lookup", counter(result, EventIndex.KEYS_READ) / (double) q);
        r.put("postings_read_per_clip", counter(result, EventIndex.POSTINGS_READ) / (double) q);
        r.put("planted_found", counter(result, PLANTED_FOUND));
        r.put("planted", (q + 1) / 2);
        r.put("queries", q);
        r.put("frames_per_clip", frames);
        r.put("busy_camera_share", busyShare);
        r.put("clips_per_camera", clipsPerCamera);
        r.put("parallelism", parallelism);
        r.put("state_backend", stateBackend);
        r.put("layout", layout.toString());
        r.put("cap", cap);
        r.put("managed_memory", managedMemory);
        r.put("key_fill", fill(result.getAccumulatorResult(EventIndex.KEY_FILL)));
        return r;
    }

    /** Keys holding at least k postings, for k = 1, 2, 4, … and the cap. */
    private static Map<String, Long> fill(Map<Integer, Integer> crossings) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (crossings == null) return out;
        TreeMap<Integer, Integer> sorted = new TreeMap<>(crossings);
        for (int k = 1; k <= EventIndex.DEFAULT_CAP; k *= 2) out.put(">=" + k, (long) sorted.getOrDefault(k, 0));
        return out;
    }

    /**
     * The same seeds under the previous index's band keys (16-bit slots 0–3 of the whole-frame and crop-window
     * hashes of every 8th frame, skipping hashes within 32 bits of one stored): entries per key.
     */
    private Map<String, Object> legacyBandKeyFill(int n) {
        int[] perKey = new int[4 << 16];
        for (long i = 0; i < n; i++) {
            ClipFingerprint f = SyntheticFingerprints.cameraClip(cameraOf(i, n, busyShare, clipsPerCamera), i, "c" + i, null, 0, frames);
            List<List<long[]>> storedByKind = new ArrayList<>();
            for (int fr = 0; fr < f.frames(); fr += 8) {
                for (int kind = 0; kind <= ClipFingerprint.WINDOWS.length; kind++) {
                    long[] bits = kind == 0 ? f.pdq(fr).bits() : f.pdqWindow(fr, kind - 1).bits();
                    if (storedByKind.size() <= kind) storedByKind.add(new ArrayList<>());
                    List<long[]> same = storedByKind.get(kind);
                    if (same.stream().anyMatch(o -> PdqHash.distance(o, bits) <= 32)) continue;
                    same.add(bits);
                    for (int slot = 0; slot < 4; slot++) perKey[slot << 16 | (int) (bits[0] >>> (48 - 16 * slot)) & 0xffff]++;
                }
            }
        }
        java.util.Arrays.sort(perKey);
        long entries = 0;
        for (int c : perKey) entries += c;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("entries_per_clip", entries / (double) n);
        out.put("keys", perKey.length);
        out.put("entries_per_key_median", perKey[perKey.length / 2]);
        out.put("entries_per_key_p99", perKey[(int) (perKey.length * 0.99)]);
        out.put("entries_per_key_max", perKey[perKey.length - 1]);
        long top = 0;
        for (int k = perKey.length - 100; k < perKey.length; k++) top += perKey[k];
        out.put("share_of_entries_in_100_fullest_keys", top / (double) entries);
        return out;
    }

    private static long counter(JobExecutionResult result, String name) {
        Object v = result.getAllAccumulatorResults().get(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** Counts each planted copy once when the index names its source among the clip's candidates. */
    static final class CountPlantedCopies extends KeyedProcessFunction<String, CandidatePair, CandidatePair> {
        private transient ValueState<Boolean> found;
        private transient LongCounter planted;

        @Override
        public void open(OpenContext context) {
            found = getRuntimeContext().getState(new ValueStateDescriptor<>("found", Types.BOOLEAN));
            planted = getRuntimeContext().getLongCounter(PLANTED_FOUND);
        }

        @Override
        public void processElement(CandidatePair p, Context ctx, Collector<CandidatePair> out) throws Exception {
            int at = p.clipId.indexOf("-copy-of-");
            if (found.value() == null && at >= 0 && ClipKey.of(p.clipId.substring(at + 9)) == p.earlierClipKey) {
                found.update(true);
                planted.add(1);
            }
        }
    }

    /** The RocksDB files of the index operator (its directory names the operator). */
    private static long indexDiskSize(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().contains("EventIndex")).mapToLong(f -> {
                try {
                    return Files.isRegularFile(f) ? Files.size(f) : 0;
                } catch (Exception e) {
                    return 0; // RocksDB compacted it away while we walked
                }
            }).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
