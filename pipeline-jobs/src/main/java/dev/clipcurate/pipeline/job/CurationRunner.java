package dev.clipcurate.pipeline.job;

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
 * Runs the curation job over a range of Kafka offsets and seals the result as the next dataset version.
 * The range starts where the parent version's range ended and ends at the topic's end when the run starts.
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

    /**
     * Runs the job and seals what it wrote as the next version.
     *
     * @param bounded stop at the topic's end as of now (a build); otherwise run until {@link #stop()} is called
     * @return the sealed version, or null when the topic had nothing new since the parent version
     */
    /** The accumulators of the last job this runner ran to its end (progress counts, time per stage). */
    public Map<String, Object> lastAccumulators() {
        return lastAccumulators;
    }

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
        String buildId = newBuildId(started);
        out.printf("Build %s (%s%s): %s from %s, parent version %s%n", buildId, mode.name().toLowerCase(),
                bounded ? "" : ", until stopped", bounded ? pending + " messages" : "all new messages",
                options.donationsTopic, parentName);

        Map<TopicPartition, Long> start = new HashMap<>();
        Map<TopicPartition, Long> end = new HashMap<>();
        ranges.forEach((tp, r) -> {
            start.put(tp, r[0]);
            end.put(tp, r[1]);
        });
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfig(mode));
        CurationJob.define(env, options, buildId, start, bounded ? end : null, earlierClipManifests(layout, parent),
                started.toEpochMilli(), consentEnds);
        try {
            JobClient client = env.executeAsync("curate " + mode.name().toLowerCase() + " " + buildId);
            running = client;
            if (onStarted != null) onStarted.accept(client);
            Progress.follow(client, bounded ? pending : -1, Duration.ofSeconds(5), out);
            lastAccumulators = client.getJobExecutionResult().get().getAllAccumulatorResults();
        } catch (Exception e) {
            discardBuild(layout, buildId);
            throw new IllegalStateException("the job failed, no version was sealed: " + rootMessage(e), e);
        } finally {
            running = null;
        }
        if (!bounded) {
            // drained by stop(): everything read was processed and committed with the final savepoint. The consumer
            // group's offsets lag behind (the source commits them to Kafka after a checkpoint, and the final one's
            // commit is lost as the tasks end: scripts/cluster-check saw 1 of 4 messages): the rows say how far it read
            Map<TopicPartition, Long> committed = committedOffsets();
            Map<Integer, Long> written = VersionSealer.nextOffsets(layout.stagingClips(buildId), options.donationsTopic);
            ranges.forEach((tp, r) -> r[1] = Math.max(r[0], Math.max(committed.getOrDefault(tp, r[0]),
                    written.getOrDefault(tp.partition(), r[0]))));
        }

        Map<String, Map<Integer, long[]>> offsets = new TreeMap<>();
        ranges.forEach((tp, r) -> offsets.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).put(tp.partition(), r));
        BuildInfo info = new BuildInfo(buildId, mode.name().toLowerCase(), args, offsets, config,
                codeVersion(), models(config), started, parent == null ? null : parentName);
        try {
            return sealer.seal(info);
        } catch (Exception e) {
            discardBuild(layout, buildId);
            throw new IllegalStateException("sealing failed, no version was written: " + e.getMessage(), e);
        }
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

    private Map<TopicPartition, Long> committedOffsets() throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, Long> result = new HashMap<>();
            admin.listConsumerGroupOffsets(options.consumerGroup).partitionsToOffsetAndMetadata()
                    .get(60, TimeUnit.SECONDS)
                    .forEach((tp, om) -> { if (om != null) result.put(tp, om.offset()); });
            return result;
        }
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

    Configuration flinkConfig(Mode mode) {
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
            // the dedup index grows with every clip: checkpoints go to files, not into the JobManager's memory
            conf.setString("execution.checkpointing.dir",
                    new Path(new DatasetLayout(options.warehouse, options.dataset).datasetDir(), ".checkpoints").toString());
            conf.setString("state.backend.type", options.stateBackend);
            if ("rocksdb".equals(options.stateBackend)) conf.setString("execution.checkpointing.incremental", "true");
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
