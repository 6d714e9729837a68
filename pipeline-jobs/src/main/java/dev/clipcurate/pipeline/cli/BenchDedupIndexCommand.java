package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.dedup.BandEntries;
import dev.clipcurate.pipeline.dedup.BandIndex;
import dev.clipcurate.pipeline.dedup.BandKeys;
import dev.clipcurate.pipeline.dedup.CandidatePair;
import dev.clipcurate.pipeline.dedup.ClipFingerprint;
import dev.clipcurate.pipeline.dedup.IndexedHash;
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
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Size and lookup cost of the dedup index in Flink keyed state, at growing numbers of indexed clips. */
@Command(name = "bench-dedup-index", mixinStandardHelpOptions = true,
        description = {"Fills the dedup band index (the job's BandIndex operator, in Flink keyed state on a local "
                + "MiniCluster) with N synthetic clips as a build seeds it from earlier versions, then looks up "
                + "--queries new clips, half of them copies of indexed clips. Reports, per N: stored entries per clip, "
                + "index size per clip (the RocksDB files on disk at their peak), lookup CPU time per queried clip "
                + "(each clip on its own, as in a streaming run), and whether every planted copy became a candidate.",
                "Synthetic hashes drift from frame to frame like a moving scene's; real clips of fixed cameras "
                        + "store fewer entries (scripts/curate eval-dedup reports the real figure)."})
final class BenchDedupIndexCommand implements Callable<Integer> {
    @Option(names = "--clips", split = ",", defaultValue = "10000,100000,1000000",
            description = "Index sizes to measure, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--queries", defaultValue = "200", description = "Clips looked up per size (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--frames", defaultValue = "32",
            description = "Sampled frames per synthetic clip, 2 per second (default: ${DEFAULT-VALUE}, a 16-s clip).")
    int frames;

    @Option(names = "--state-backend", defaultValue = "rocksdb",
            description = "hashmap or rocksdb (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    @Option(names = "--parallelism", defaultValue = "2", description = "Index subtasks (default: ${DEFAULT-VALUE}).")
    int parallelism;

    static final String PLANTED_FOUND = "planted-copies-found";

    @Override
    public Integer call() throws Exception {
        System.out.printf("%10s %12s %14s %18s %16s %8s %8s%n", "clips", "entries/clip", "disk B/clip",
                "lookup ms/clip", "lookups/clip", "copies", "wall s");
        for (int n : sizes) {
            Path work = Files.createTempDirectory("curate-bench-index");
            try {
                long started = System.nanoTime();
                Row r = run(n, work);
                System.out.printf("%10d %12.0f %14s %18.2f %16.0f %5d/%-3d %7.0f%n", n, r.storedEntries / (double) n,
                        r.diskBytes > 0 ? String.format("%.0f", r.diskBytes / (double) n) : "-",
                        r.lookupNanos / 1e6 / queries, r.lookups / (double) queries, r.plantedFound, (queries + 1) / 2,
                        (System.nanoTime() - started) / 1e9);
            } finally {
                deleteTree(work);
            }
        }
        return 0;
    }

    record Row(long storedEntries, long diskBytes, long lookupNanos, long lookups, long plantedFound) {}

    private Row run(int n, Path work) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("execution.runtime-mode", "STREAMING");
        conf.setString("parallelism.default", Integer.toString(parallelism));
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(parallelism));
        conf.setString("state.backend.type", stateBackend);
        conf.setString("state.backend.rocksdb.localdir", work.resolve("rocksdb").toString());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        int clipFrames = frames;
        int q = queries;
        // index sizes up to 1M: the seeds are generated in the job, not shipped from here
        DataStream<ClipFingerprint> seeds = env.fromSequence(0, n - 1)
                .map(i -> SyntheticFingerprints.clip(i, "c" + i, null, 0, clipFrames), TypeInformation.of(ClipFingerprint.class))
                .name("synthetic indexed clips");
        DataStream<ClipFingerprint> lookups = env.fromSequence(0, q - 1)
                // each its own stamp, as in a streaming run: each clip's lookups read the index on their own
                .map(i -> i % 2 == 0
                                ? SyntheticFingerprints.clip(i * (n / q), "q" + i + "-copy-of-c" + i * (n / q), null, 1 + i, clipFrames)
                                : SyntheticFingerprints.clip(n + i, "q" + i, null, 1 + i, clipFrames),
                        TypeInformation.of(ClipFingerprint.class))
                .name("synthetic new clips")
                .assignTimestampsAndWatermarks(WatermarkStrategy.<ClipFingerprint>forMonotonousTimestamps()
                        .withTimestampAssigner((f, previous) -> f.epoch));
        seeds.union(lookups)
                .flatMap(new BandEntries(BandKeys.Layout.DEFAULT), TypeInformation.of(IndexedHash.class))
                .name("band keys")
                .keyBy((KeySelector<IndexedHash, Integer>) h -> h.bandKey, Types.INT)
                .process(new BandIndex()).name("band index")
                .keyBy((KeySelector<CandidatePair, String>) p -> p.clipId, Types.STRING)
                .process(new CountPlantedCopies()).name("planted copies")
                .sinkTo(new DiscardingSink<>());

        AtomicLong peakDisk = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        long started = System.nanoTime();
        Thread watcher = new Thread(() -> {
            long reported = started;
            while (running.get()) {
                long size = treeSize(work.resolve("rocksdb"));
                peakDisk.accumulateAndGet(size, Math::max);
                if (System.nanoTime() - reported > 30e9) { // a 1M run takes most of an hour on 2 cores
                    reported = System.nanoTime();
                    System.err.printf("  … %d clips: %.0f s, index on disk %.1f GB%n", n, (reported - started) / 1e9, size / 1e9);
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
        return new Row(counter(result, BandEntries.STORED), peakDisk.get(), counter(result, BandIndex.LOOKUP_NANOS),
                counter(result, BandIndex.LOOKUPS), counter(result, PLANTED_FOUND));
    }

    private static long counter(JobExecutionResult result, String name) {
        Object v = result.getAllAccumulatorResults().get(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** Counts each planted copy once when the index names its source as a candidate. */
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
            if (found.value() == null && p.clipId.endsWith("-copy-of-" + p.earlierClipId)) {
                found.update(true);
                planted.add(1);
            }
        }
    }

    private static long treeSize(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(f -> {
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
