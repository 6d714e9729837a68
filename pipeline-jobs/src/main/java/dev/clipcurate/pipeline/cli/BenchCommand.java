package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import dev.clipcurate.pipeline.intake.DonationPublisher;
import dev.clipcurate.pipeline.job.CurationOptions;
import dev.clipcurate.pipeline.job.CurationRunner;
import dev.clipcurate.pipeline.job.Progress;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodedClip;
import dev.clipcurate.pipeline.shards.VersionSealer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Throughput of the curation pipeline beside plain FFmpeg on the same clips, measured in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures clips/s and video-seconds per wall-second of the curation pipeline (Kafka, Flink "
                + "BATCH build, shards, sealing) on the demo clips, beside two baselines measured in the same run: "
                + "the ffmpeg command line extracting the same frames to JPEG, and the pipeline's own decoder alone.",
                "Each figure is the median of --rounds rounds; compare ratios, not absolute times."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--rounds", defaultValue = "3", description = "Rounds per measurement (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--copies", defaultValue = "4",
            description = "Without --set: copies of each demo clip in the set (default: ${DEFAULT-VALUE}).")
    int copies;

    @Option(names = "--set", paramLabel = "DIR", description = "Benchmark the clips in this directory instead of copies "
            + "of the demo clips: scripts/make-bench-set builds a mixed set of 22 (people, faces, no person, duplicates) "
            + "in .cache/bench-set, which scripts/bench uses by default.")
    Path set;

    @Option(names = "--parallelism", defaultValue = "2",
            description = "Parallel decoders in every measurement (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--ffmpeg", defaultValue = "ffmpeg", description = "ffmpeg binary (default: ${DEFAULT-VALUE}).")
    String ffmpeg;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench",
            description = "Where the results JSON goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--samples", paramLabel = "DIR", hidden = true)
    Path samples = Paths.get(System.getProperty("curate.samples.dir", ".cache/samples"));

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("curate-bench");
        Path landing = Files.createDirectories(work.resolve("landing"));
        List<Path> clips = new ArrayList<>();
        if (set != null) {
            if (!Files.isDirectory(set)) throw new IllegalArgumentException(set + " is not a directory: run scripts/make-bench-set");
            try (var files = Files.list(set)) {
                for (Path clip : files.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList()) {
                    clips.add(Files.copy(clip, landing.resolve(clip.getFileName())));
                }
            }
            if (clips.isEmpty()) throw new IllegalArgumentException(set + " holds no clips: run scripts/make-bench-set");
        } else {
            for (int c = 0; c < copies; c++) {
                for (String name : List.of("vtest.avi", "Megamind.avi", "tree.avi")) {
                    Path copy = landing.resolve("c" + c + "-" + name);
                    Files.copy(samples.resolve(name), copy);
                    clips.add(copy);
                }
            }
        }
        CurationOptions o = new CurationOptions();
        o.parallelism = parallelism;
        double videoSeconds = 0;
        long frames = 0;
        ClipDecoder probe = new ClipDecoder(o.decodeLimits());
        for (Path clip : clips) {
            DecodedClip d = probe.decode(clip.toFile());
            videoSeconds += d.durationSeconds();
            frames += d.frames().size();
        }
        System.out.printf("Bench set: %d clips, %.1f video-seconds, %d frames at %.1f fps, long side ≤ %d px; "
                + "parallelism %d, %d rounds%n", clips.size(), videoSeconds, frames, o.sampleFps, o.maxLongSide,
                parallelism, rounds);

        double[] ffmpegTimes = new double[rounds];
        double[] decoderTimes = new double[rounds];
        double[] pipelineTimes = new double[rounds];
        List<Map<String, Object>> accumulators = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            ffmpegTimes[r] = timeFfmpeg(clips, work.resolve("ffmpeg-" + r), o);
            decoderTimes[r] = timeDecoder(clips, o);
            pipelineTimes[r] = timePipeline(landing, work.resolve("warehouse-" + r), o, accumulators);
            System.out.printf("  round %d: ffmpeg %.2f s, decoder %.2f s, pipeline %.2f s%n", r + 1,
                    ffmpegTimes[r], decoderTimes[r], pipelineTimes[r]);
        }
        double f = median(ffmpegTimes);
        double d = median(decoderTimes);
        double p = median(pipelineTimes);
        System.out.println();
        System.out.printf("%-34s %8s %9s %14s %12s%n", "", "wall s", "clips/s", "video-s/wall-s", "vs ffmpeg");
        row("ffmpeg CLI → JPEG (baseline)", f, clips.size(), videoSeconds, f);
        row("decoder alone (javacv, in-process)", d, clips.size(), videoSeconds, f);
        row("pipeline (Kafka+Flink+shards+seal)", p, clips.size(), videoSeconds, f);

        ObjectNode stages = stageCosts(accumulators, p);

        ObjectNode result = AvroJson.MAPPER.createObjectNode();
        result.set("stage_seconds", stages);
        result.put("measured_at", Instant.now().toString());
        result.put("clips", clips.size());
        result.put("set", set == null ? "demo clips x " + copies : set.toString());
        result.put("video_seconds", videoSeconds);
        result.put("frames", frames);
        result.put("parallelism", parallelism);
        result.put("cores", Runtime.getRuntime().availableProcessors());
        put(result.putArray("ffmpeg_s"), ffmpegTimes);
        put(result.putArray("decoder_s"), decoderTimes);
        put(result.putArray("pipeline_s"), pipelineTimes);
        result.put("pipeline_vs_ffmpeg_throughput", f / p);
        result.put("decoder_vs_ffmpeg_throughput", f / d);
        Files.createDirectories(out);
        Path file = out.resolve("bench-" + Instant.now().toString().replace(':', '-') + ".json");
        AvroJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), result);
        System.out.println("\nResults: " + file.toAbsolutePath());
        return 0;
    }

    /**
     * Busy time per stage, summed over all subtasks (median over rounds), per frame the privacy stage anonymised, and
     * as a share of the pipeline's slot time (wall time × parallelism): where the pipeline's time goes.
     */
    private ObjectNode stageCosts(List<Map<String, Object>> accumulators, double pipelineSeconds) {
        ObjectNode out = AvroJson.MAPPER.createObjectNode();
        double privacyFrames = median(accumulators.stream().mapToDouble(a -> ((Number) a.getOrDefault(
                Progress.FRAMES_ANONYMISED, 0L)).doubleValue()).toArray());
        double written = median(accumulators.stream().mapToDouble(a -> ((Number) a.getOrDefault(
                Progress.FRAMES_WRITTEN, 0L)).doubleValue()).toArray());
        double scoredFrames = median(accumulators.stream().mapToDouble(a -> ((Number) a.getOrDefault(
                Progress.FRAMES_SCORED, 0L)).doubleValue()).toArray());
        System.out.println();
        System.out.printf("Where the pipeline's time goes (busy time summed over subtasks, median of %d rounds; %.0f frames "
                + "sampled and scored, %.0f of them through the privacy stage, %.0f written: the others are duplicates'; "
                + "ms per frame: per scored frame for the stages marked *, per frame through privacy for the others)%n",
                accumulators.size(), scoredFrames, privacyFrames, written);
        System.out.printf("%-34s %10s %16s %16s%n", "stage", "seconds", "ms per frame", "share of slots");
        double slotSeconds = pipelineSeconds * parallelism;
        double timed = 0;
        for (String stage : Progress.TIMED_STAGES) {
            double[] seconds = accumulators.stream().mapToDouble(a -> ((Number) a.getOrDefault(Progress.STAGE_NANOS + stage, 0L))
                    .doubleValue() / 1e9).toArray();
            double s = median(seconds);
            timed += s;
            out.put(stage, Math.round(s * 1000) / 1000.0);
            boolean everyFrame = Progress.EVERY_FRAME_STAGES.contains(stage);
            double frames = everyFrame ? scoredFrames : privacyFrames;
            System.out.printf("%-34s %10.2f %16.1f %15.1f%%%n", stage + (everyFrame ? " *" : ""), s,
                    frames == 0 ? 0 : 1000 * s / frames, 100 * s / slotSeconds);
        }
        System.out.printf("%-34s %10.2f %16s %15.1f%%%n", "everything else (Kafka, Flink, "
                + "dedup, staging, shards, idle slots)", Math.max(0, slotSeconds - timed), "", 100 * Math.max(0, slotSeconds - timed) / slotSeconds);
        return out;
    }

    private static void row(String name, double seconds, int clips, double videoSeconds, double baseline) {
        System.out.printf("%-34s %8.2f %9.2f %14.1f %11.2fx%n", name, seconds, clips / seconds, videoSeconds / seconds,
                baseline / seconds);
    }

    /** The same frames as the pipeline: 2 per second, long side capped, JPEG; one process per clip. */
    private double timeFfmpeg(List<Path> clips, Path outDir, CurationOptions o) throws Exception {
        Files.createDirectories(outDir);
        String cap = Integer.toString(o.maxLongSide);
        String filter = "fps=" + o.sampleFps + ",scale='if(gte(iw,ih),min(" + cap + ",iw),-2)':'if(gte(iw,ih),-2,min("
                + cap + ",ih))':flags=area";
        long start = System.nanoTime();
        runParallel(clips, clip -> {
            Path dir = Files.createDirectories(outDir.resolve(clip.getFileName().toString()));
            Process proc = new ProcessBuilder(ffmpeg, "-v", "error", "-threads", "1", "-i", clip.toString(),
                    "-vf", filter, "-q:v", "3", dir.resolve("%06d.jpg").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (proc.waitFor() != 0) throw new IllegalStateException("ffmpeg failed on " + clip);
            return null;
        });
        return (System.nanoTime() - start) / 1e9;
    }

    private double timeDecoder(List<Path> clips, CurationOptions o) throws Exception {
        long start = System.nanoTime();
        ThreadLocal<ClipDecoder> decoders = ThreadLocal.withInitial(() -> new ClipDecoder(o.decodeLimits()));
        runParallel(clips, clip -> decoders.get().decode(clip.toFile()));
        return (System.nanoTime() - start) / 1e9;
    }

    private double timePipeline(Path landing, Path warehouse, CurationOptions base, List<Map<String, Object>> accumulators)
            throws Exception {
        CurationOptions o = new CurationOptions();
        o.parallelism = base.parallelism;
        o.landingRoot = landing.toString();
        o.warehouse = warehouse.toString();
        o.pseudonymKey = "bench-pseudonym-key-0123456789".getBytes();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            o.bootstrapServers = kafka.bootstrapServers();
            kafka.createTopic(o.donationsTopic, parallelism);
            // the set's donors have granted consent, as the demo's do: no clip is rejected no_consent
            kafka.createTopic(o.consentTopic, 1, dev.clipcurate.pipeline.consent.ConsentPublisher.TOPIC_CONFIG);
            try (var consent = new dev.clipcurate.pipeline.consent.ConsentPublisher(o.bootstrapServers, o.consentTopic)) {
                consent.grantTraining(DonationPublisher.donorIds(landing), "donor-terms-2026-01", "bench");
            }
            try (DonationPublisher publisher = new DonationPublisher(o.bootstrapServers, o.donationsTopic)) {
                publisher.donateDirectory(landing, landing);
            }
            long start = System.nanoTime();
            CurationRunner runner = new CurationRunner(o, new PrintStream(OutputStream.nullOutputStream()));
            VersionSealer.Sealed sealed = runner.run(CurationRunner.Mode.BATCH, true, List.of("bench"));
            double seconds = (System.nanoTime() - start) / 1e9;
            accumulators.add(runner.lastAccumulators());
            if (sealed == null) throw new IllegalStateException("the benchmark build sealed nothing");
            return seconds;
        }
    }

    private interface ClipTask {
        Object run(Path clip) throws Exception;
    }

    private void runParallel(List<Path> clips, ClipTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (Path clip : clips) futures.add(pool.submit(() -> task.run(clip)));
            for (Future<Object> f : futures) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void put(ArrayNode array, double[] values) {
        for (double v : values) array.add(Math.round(v * 1000) / 1000.0);
    }
}
