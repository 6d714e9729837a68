package dev.clipcurate.pipeline.job;

import dev.clipcurate.pipeline.dedup.DedupStage;
import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.shards.BuildInfo;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import dev.clipcurate.pipeline.shards.VersionSealer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the curation job over a range of Kafka offsets; the job seals what it curates into dataset versions.
 * The range starts where the parent version's range ended and, for a build, ends at the topic's end when it starts.
 */
public final class CurationRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CurationRunner.class);

    public enum Mode { BATCH, STREAMING }

    private final CurationOptions options;
    private final PrintStream out;
    /** Lets a caller (the failure test) act on the running job; may be null. */
    private Consumer<JobClient> onStarted;
    private volatile JobClient running;
    private Map<String, Object> lastAccumulators = Map.of();

    public CurationRunner(CurationOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public CurationRunner onStarted(Consumer<JobClient> hook) {
        this.onStarted = hook;
        return this;
    }

    /** Every model the build ran, name → sha256: the privacy stage's, and the scoring model as the config names it. */
    private static Map<String, String> models(Map<String, Object> config) throws java.io.IOException {
        Map<String, String> models = new TreeMap<>(dev.clipcurate.pipeline.privacy.PrivacyModels.hashes());
        models.put((String) config.get("score_model"), (String) config.get("score_model_sha256"));
        return models;
    }

    /** The accumulators of the last job this runner ran to its end (progress counts, time per stage). */
    public Map<String, Object> lastAccumulators() {
        return lastAccumulators;
    }

    /**
     * Runs the job; the job seals what it commits into versions (VersionCommitter), a bounded build once at its end,
     * a streaming run every --seal-interval-s while it runs and once more when drained. A streaming run that died
     * (RunRegistry) is resumed from its checkpoint instead of starting a new build.
     *
     * @param bounded stop at the topic's end as of now (a build); otherwise run until {@link #stop()} is called
     * @return the newest version the run sealed, or null when it sealed none
     */
    public VersionSealer.Sealed run(Mode mode, boolean bounded, List<String> args) throws Exception {
        if (options.pseudonymKey == null) {
            throw new IllegalArgumentException("no pseudonym key: set CURATE_PSEUDONYM_KEY or --pseudonym-key-file");
        }
        if (mode == Mode.BATCH && !bounded) throw new IllegalArgumentException("a BATCH job must be bounded");
        Instant started = Instant.now();
        DatasetLayout layout = new DatasetLayout(options.warehouse, options.dataset);
        VersionSealer sealer = new VersionSealer(layout);
        JsonNode parent = sealer.latest();
        Map<TopicPartition, long[]> ranges = offsetRanges(parent);
        Map<Integer, Long> consentEnds = consentTopicEnds();
        long pending = ranges.values().stream().mapToLong(r -> r[1] - r[0]).sum();
        String parentName = parent == null ? "none" : parent.get("name").asText();
        if (bounded && pending == 0) {
            out.printf("Nothing new on %s since %s: no version sealed.%n", options.donationsTopic, parentName);
            return null;
        }
        // read before the job: the version records the model file and the rules the job started with
        Map<String, Object> config = options.describe();
        RunRegistry runs = new RunRegistry(layout);
        RunRegistry.Run resumed = mode == Mode.STREAMING && !bounded ? runs.resumable() : null;
        BuildInfo build;
        Map<TopicPartition, Long> start = new HashMap<>();
        Map<TopicPartition, Long> end = new HashMap<>();
        ranges.forEach((tp, r) -> {
            start.put(tp, r[0]);
            end.put(tp, r[1]);
        });
        if (resumed != null) {
            // the run that died is this one, continued: same build id, state and offsets from its checkpoint
            build = resumed.build();
            out.printf("Resuming run %s (started %s, parent version %s) from its checkpoint %s%n", build.buildId(),
                    build.startedAt(), build.parent() == null ? "none" : build.parent(), resumed.checkpoint().getFileName());
            if (!build.config().equals(new TreeMap<>(config))) {
                out.println("  note: this run's options differ from the run it resumes; the versions record the first run's");
            }
            parent = build.parent() == null ? null : new DatasetVersions(layout).version(build.parent());
        } else {
            Map<Integer, long[]> runRange = new TreeMap<>();
            ranges.forEach((tp, r) -> runRange.put(tp.partition(), new long[] {r[0], bounded ? r[1] : -1}));
            build = new BuildInfo(newBuildId(started), mode.name().toLowerCase(), List.copyOf(args),
                    new TreeMap<>(Map.of(options.donationsTopic, runRange)), new TreeMap<>(config), codeVersion(),
                    models(config), started, parent == null ? null : parentName);
            out.printf("Build %s (%s%s): %s from %s, parent version %s%n", build.buildId(), mode.name().toLowerCase(),
                    bounded ? "" : ", until stopped", bounded ? pending + " messages" : "all new messages",
                    options.donationsTopic, parentName);
        }
        String buildId = build.buildId();
        Configuration conf = flinkConfig(mode, buildId);
        if (resumed != null) conf.setString("execution.state-recovery.path", resumed.checkpoint().toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        CurationJob.define(env, options, build, start, bounded ? end : null, earlierClipManifests(layout, parent),
                started.toEpochMilli(), consentEnds);
        runs.register(build);
        try {
            JobClient client = env.executeAsync("curate " + mode.name().toLowerCase() + " " + buildId);
            running = client;
            if (onStarted != null) onStarted.accept(client);
            Progress.follow(client, bounded ? pending : -1, Duration.ofSeconds(5), out, layout, buildId);
            lastAccumulators = client.getJobExecutionResult().get().getAllAccumulatorResults();
        } catch (Exception e) {
            JsonNode sealedLast = sealer.newestOf(buildId);
            boolean sealedAny = sealedLast != null;
            boolean resumable = mode == Mode.STREAMING && runs.newestCheckpoint(buildId) != null;
            runs.ended(buildId, !resumable);
            if (!sealedAny && !resumable) discardBuild(layout, buildId);
            throw new IllegalStateException("the job failed" + (sealedAny ? " after sealing "
                    + sealedLast.get("name").asText() + "; what it committed since is not in a version"
                    : ", no version was sealed") + ": " + rootMessage(e)
                    + (resumable ? " (its checkpoint is kept: the next run resumes it" + (resumed == null ? ")"
                    : "; if it cannot be resumed, delete " + layout.runsDir() + "/" + buildId + ".json and the next run "
                    + "starts from the newest version)") : ""), e);
        } finally {
            running = null;
        }
        try {
            sealer.sealLeftover(build);
        } catch (Exception e) {
            throw new IllegalStateException("sealing what the job committed at its end failed: " + e.getMessage()
                    + " (the files stay under " + layout.buildDir(buildId) + ")", e);
        } finally {
            runs.ended(buildId, true);
        }
        discardCheckpoints(layout, buildId);
        JsonNode last = sealer.newestOf(buildId);
        if (last == null) {
            out.printf("Nothing was committed by build %s: no version sealed.%n", buildId);
            return null;
        }
        List<String> own = new DatasetVersions(layout).all().stream()
                .filter(v -> buildId.equals(v.path("build").path("id").asText())).map(v -> v.get("name").asText()).toList();
        if (own.size() > 1) {
            out.printf("Build %s sealed %d versions: %s (the summary below is the newest one's)%n", buildId, own.size(),
                    String.join(", ", own));
        }
        return new VersionSealer.Sealed(last.get("version").asInt(), layout.versionFile(last.get("version").asInt()),
                (com.fasterxml.jackson.databind.node.ObjectNode) last);
    }

    /**
     * Drains an unbounded run: the sources stop, a final savepoint commits all output, then run() seals. The
     * savepoint goes under the dataset directory, which a cluster's JobManager and this client both reach.
     */
    public void stop() throws Exception {
        JobClient client = running;
        if (client == null) return;
        Path savepoints = new Path(new DatasetLayout(options.warehouse, options.dataset).datasetDir(), ".savepoints");
        client.stopWithSavepoint(true, savepoints.toString(),
                org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get(5, TimeUnit.MINUTES);
    }

    /**
     * Per partition of the consent topic that holds events, its end offset now. Without the topic every clip would
     * be rejected no_consent: say so before starting.
     */
    private Map<Integer, Long> consentTopicEnds() throws Exception {
        try (Admin admin = admin()) {
            if (!admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(options.consentTopic)) {
                throw new IllegalArgumentException("the consent topic " + options.consentTopic + " does not exist on "
                        + options.bootstrapServers + ": create it (scripts/curate broker does) and publish the donors' "
                        + "grants (scripts/curate grant --donor ID); without a grant a clip is rejected no_consent");
            }
            TopicDescription topic = admin.describeTopics(List.of(options.consentTopic))
                    .allTopicNames().get(60, TimeUnit.SECONDS).get(options.consentTopic);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            topic.partitions().forEach(p -> {
                earliest.put(new TopicPartition(options.consentTopic, p.partition()), OffsetSpec.earliest());
                latest.put(new TopicPartition(options.consentTopic, p.partition()), OffsetSpec.latest());
            });
            var first = admin.listOffsets(earliest).all().get(60, TimeUnit.SECONDS);
            var last = admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS);
            Map<Integer, Long> ends = new HashMap<>();
            for (TopicPartition tp : latest.keySet()) {
                long end = last.get(tp).offset();
                // the last event sits at end - 1 (the producers write no transactions, the topic is not compacted)
                if (end > first.get(tp).offset()) ends.put(tp.partition(), end);
                if (first.get(tp).offset() > 0) {
                    LOG.warn("consent topic {} partition {} starts at offset {}: older events were deleted by retention "
                            + "(give the topic retention.ms=-1)", options.consentTopic, tp.partition(), first.get(tp).offset());
                }
            }
            return ends;
        }
    }

    private static List<String> earlierClipManifests(DatasetLayout layout, JsonNode parent) {
        return new DatasetVersions(layout).clipManifests(parent).stream().map(Path::toString).toList();
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }

    Configuration flinkConfig(Mode mode, String buildId) {
        Configuration conf = new Configuration();
        conf.setString("execution.runtime-mode", mode.name());
        conf.setString("parallelism.default", Integer.toString(options.parallelism));
        // a BATCH job's scheduler would size each operator by its input's bytes: a few kilobytes of donation
        // records would get parallelism 1, and the decoding pass, seconds of CPU per clip, would use one slot
        conf.setString("execution.batch.adaptive.auto-parallelism.enabled", "false");
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(Math.max(options.parallelism, 1)));
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // the job's own settings override a cluster's: back off rather than spend a few fixed attempts while a lost
        // TaskManager is replaced (every restart fails until it registers: 7 s in scripts/cluster-check)
        conf.setString("restart-strategy.type", options.restartAttempts == 0 ? "none" : "exponential-delay");
        conf.setString("restart-strategy.exponential-delay.initial-backoff", "1 s");
        conf.setString("restart-strategy.exponential-delay.max-backoff", "1 min");
        conf.setString("restart-strategy.exponential-delay.backoff-multiplier", "2.0");
        conf.setString("restart-strategy.exponential-delay.reset-backoff-threshold", "10 min");
        conf.setString("restart-strategy.exponential-delay.attempts-before-reset-backoff",
                Integer.toString(Math.max(1, options.restartAttempts)));
        if (mode == Mode.STREAMING) {
            conf.setString("execution.checkpointing.interval", options.checkpointInterval.toMillis() + " ms");
            conf.setString("execution.checkpointing.mode", "EXACTLY_ONCE");
            // a run that is cancelled or dies keeps its newest checkpoint: the next run resumes from it (RunRegistry)
            conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
            // the dedup index grows with every clip: checkpoints go to files, not into the JobManager's memory
            conf.setString("execution.checkpointing.dir",
                    new DatasetLayout(options.warehouse, options.dataset).checkpointsDir(buildId).toString());
            conf.setString("state.backend.type", options.stateBackend);
            if ("rocksdb".equals(options.stateBackend)) {
                conf.setString("execution.checkpointing.incremental", "true");
                DedupStage.ROCKSDB_SETTINGS.forEach(conf::setString);
            }
        }
        return conf;
    }

    /** Per partition of the donations topic: [end of the parent's range, current end of the topic). */
    Map<TopicPartition, long[]> offsetRanges(JsonNode parent) throws Exception {
        Map<Integer, Long> parentEnds = new HashMap<>();
        if (parent != null) {
            for (JsonNode o : parent.get("kafka_offsets")) {
                if (o.get("topic").asText().equals(options.donationsTopic)) {
                    parentEnds.put(o.get("partition").asInt(), o.get("to").asLong());
                }
            }
        }
        try (Admin admin = admin()) {
            TopicDescription topic = admin.describeTopics(List.of(options.donationsTopic))
                    .allTopicNames().get(60, TimeUnit.SECONDS).get(options.donationsTopic);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            topic.partitions().forEach(p -> {
                TopicPartition tp = new TopicPartition(options.donationsTopic, p.partition());
                earliest.put(tp, OffsetSpec.earliest());
                latest.put(tp, OffsetSpec.latest());
            });
            var first = admin.listOffsets(earliest).all().get(60, TimeUnit.SECONDS);
            var last = admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS);
            Map<TopicPartition, long[]> ranges = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
            for (TopicPartition tp : latest.keySet()) {
                long from = Math.max(first.get(tp).offset(), parentEnds.getOrDefault(tp.partition(), 0L));
                long to = last.get(tp).offset();
                if (parentEnds.containsKey(tp.partition()) && first.get(tp).offset() > parentEnds.get(tp.partition())) {
                    LOG.warn("partition {} was truncated by retention past the parent's end offset {}: "
                            + "messages {}..{} are gone", tp, parentEnds.get(tp.partition()),
                            parentEnds.get(tp.partition()), first.get(tp).offset());
                }
                ranges.put(tp, new long[] {from, Math.max(from, to)});
            }
            return ranges;
        }
    }

    /** A run that ended has nothing to resume: its checkpoint directory goes. */
    private static void discardCheckpoints(DatasetLayout layout, String buildId) {
        try {
            Path dir = layout.checkpointsDir(buildId);
            dir.getFileSystem().delete(dir, true);
        } catch (Exception e) {
            LOG.warn("could not remove the checkpoints of ended build {}: {}", buildId, e.getMessage());
        }
    }

    private static void discardBuild(DatasetLayout layout, String buildId) {
        try {
            Path dir = layout.buildDir(buildId);
            dir.getFileSystem().delete(dir, true);
        } catch (Exception e) {
            LOG.warn("could not remove the output of failed build {}: {}", buildId, e.getMessage());
        }
    }

    public static String newBuildId(Instant now) {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now)
                + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static String codeVersion() {
        String version = "unknown";
        try (InputStream in = CurationRunner.class.getResourceAsStream("/curate-version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("version", version);
            }
        } catch (Exception ignored) {
            // the version is informative only
        }
        String commit = System.getenv("CURATE_GIT_COMMIT");
        return commit == null || commit.isBlank() ? version : version + "+" + commit;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
