package dev.clipcurate.pipeline.job;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.consent.ConsentStage;
import dev.clipcurate.pipeline.dedup.DedupStage;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.DonationMessage;
import dev.clipcurate.pipeline.intake.DonationMessageDeserializer;
import dev.clipcurate.pipeline.intake.DropRedeliveries;
import dev.clipcurate.pipeline.intake.LandingArea;
import dev.clipcurate.pipeline.intake.ParseDonation;
import dev.clipcurate.pipeline.intake.RejectionRecords;
import dev.clipcurate.pipeline.intake.ResolveLandingFile;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.pass.DecodeOnce;
import dev.clipcurate.pipeline.privacy.ReleaseFrames;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import dev.clipcurate.pipeline.scoring.RejectLowScore;
import dev.clipcurate.pipeline.shards.BuildInfo;
import dev.clipcurate.pipeline.shards.CommitReport;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.ReportingFileSink;
import dev.clipcurate.pipeline.shards.VersionCommitter;
import dev.clipcurate.pipeline.shards.VersionSealer;
import dev.clipcurate.pipeline.shards.RollOnSizeOrCheckpoint;
import dev.clipcurate.pipeline.shards.TarShardWriter;
import dev.clipcurate.pipeline.staging.ClipFacts;
import dev.clipcurate.pipeline.staging.EarlierClipFacts;
import dev.clipcurate.pipeline.staging.LabelStaging;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.parquet.avro.AvroParquetWriters;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.Map;

/**
 * Wires the curation stages; each stage is an operator in its own package.
 *
 * <pre>
 * Kafka clips.donated → ParseDonation → keyBy(clip id) DropRedeliveries
 *   → keyBy(donor) CheckConsent (+ Kafka donors.consent, broadcast) → ResolveLandingFile
 *   → keyBy(sha256) DropExactCopies
 *   → DecodeOnce (one decode: fingerprint, score, and unless the score is too low faces, heads, tracking,
 *                 verification, masks, JPEG; only anonymised frames leave it)
 *   → dedup index and decision → RejectLowScore → keyBy(donor) LabelStaging (+ earlier versions' clips)
 *   → ReleaseFrames (accepted, or quarantined face_leak) ─frames→ WebDataset tar shards
 * every stage's decision rows (side outputs) → clip manifest + clips.rejected
 * files committed by checkpoints (both sinks' post-commit streams) → VersionCommitter (parallelism 1): versions
 * </pre>
 */
public final class CurationJob {
    private CurationJob() {}

    /**
     * Adds the job to the environment.
     *
     * @param start where to start reading, per partition; null means the consumer group's committed offsets
     * @param end   where to stop, per partition; null means run unbounded
     * @param earlierClipManifests clip manifests of earlier versions: their clip ids are not curated again, their
     *                             accepted clips are kept before any duplicate of them
     * @param buildStartMs when the build started: a batch build judges consent as of then
     * @param consentEnds  per partition of the consent topic, its end offset at the start: a streaming run judges
     *                     no clip before it has read that far
     */
    public static void define(StreamExecutionEnvironment env, CurationOptions o, BuildInfo build,
                              Map<TopicPartition, Long> start, Map<TopicPartition, Long> end,
                              List<String> earlierClipManifests, long buildStartMs, Map<Integer, Long> consentEnds)
            throws IOException {
        String buildId = build.buildId();
        boolean batch = env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH;
        var sourceBuilder = KafkaSource.<DonationMessage>builder()
                .setBootstrapServers(o.bootstrapServers)
                .setTopics(o.donationsTopic)
                .setGroupId(o.consumerGroup)
                .setDeserializer(new DonationMessageDeserializer())
                .setStartingOffsets(start == null
                        ? OffsetsInitializer.committedOffsets(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST)
                        : OffsetsInitializer.offsets(start));
        if (end != null) sourceBuilder.setBounded(OffsetsInitializer.offsets(end));

        DataStream<DonationMessage> messages = env
                .fromSource(sourceBuilder.build(), WatermarkStrategy.noWatermarks(), "donations")
                .uid("donations-source");

        SingleOutputStreamOperator<ClipTask> parsed = messages
                .process(new ParseDonation(new DonorPseudonymizer(o.pseudonymKey), buildId))
                .uid("intake-parse").name("intake: parse donation");
        SingleOutputStreamOperator<ClipTask> firstDeliveries = parsed
                .keyBy((KeySelector<ClipTask, String>) t -> t.clipId, Types.STRING)
                .process(new DropRedeliveries(earlierClipManifests))
                .uid("intake-redeliveries").name("intake: drop redeliveries");
        SingleOutputStreamOperator<ClipTask> consented = ConsentStage.check(env, o, firstDeliveries, end != null, batch,
                buildStartMs, consentEnds, buildId);
        SingleOutputStreamOperator<ClipTask> resolved = consented
                .process(new ResolveLandingFile(new LandingArea(o.landingRoot), o.maxFileBytes, buildId))
                .uid("intake-resolve").name("intake: resolve landing file");

        SingleOutputStreamOperator<ClipTask> notCopies = DedupStage.dropExactCopies(resolved, earlierClipManifests,
                batch, buildId);
        Campaigns campaigns = o.campaigns();
        // rebalanced: one donor's or one file's clips must not all wait for the same slot's pass
        SingleOutputStreamOperator<ClipTask> analysed = notCopies.rebalance()
                .process(new DecodeOnce(o.decodeLimits(), o.decodeGuard(), !batch, o.scoringSettings(), campaigns,
                        o.privacySettings(), buildId))
                .uid("decode-once").name("decode once: fingerprint, score, anonymise");
        DedupStage dedup = DedupStage.decide(env, analysed, earlierClipManifests, o.dedupSettings(), buildId);

        SingleOutputStreamOperator<ClipTask> scored = dedup.unique()
                .process(new RejectLowScore(campaigns, buildId))
                .uid("scoring-low-score").name("scoring: low_score");
        SingleOutputStreamOperator<ClipTask> labelled = scored
                .keyBy((KeySelector<ClipTask, String>) t -> t.donorPseudonym, Types.STRING)
                .connect(EarlierClipFacts.read(env, earlierClipManifests, scored)
                        .keyBy((KeySelector<ClipFacts, String>) f -> f.donorPseudonym, Types.STRING))
                .process(new LabelStaging(campaigns, batch ? 0 : o.stagingSettle.toMillis(), !batch, buildId))
                .uid("staging-label").name("staging: staged, real or uncertain");

        SingleOutputStreamOperator<FrameSample> frames = labelled
                .process(new ReleaseFrames(o.privacySettings(), buildId))
                .uid("privacy-release").name("privacy: release anonymised frames, or quarantine");

        DataStream<ClipRow> decisions = parsed.getSideOutput(Decisions.TAG)
                .union(consented.getSideOutput(Decisions.TAG), resolved.getSideOutput(Decisions.TAG),
                        notCopies.getSideOutput(Decisions.TAG), analysed.getSideOutput(Decisions.TAG), dedup.decisions(),
                        scored.getSideOutput(Decisions.TAG),
                        labelled.getSideOutput(Decisions.TAG), frames.getSideOutput(Decisions.TAG));

        DatasetLayout layout = new DatasetLayout(o.warehouse, o.dataset);
        // both sinks' committed files meet in one committer: the second sink's post-commit callback adds it
        List<DataStream<CommitReport>> committed = new ArrayList<>();
        Consumer<DataStream<CommitReport>> toCommitter = reports -> {
            committed.add(reports);
            if (committed.size() < 2) return;
            DataStream<CommitReport> both = committed.get(0).union(committed.get(1));
            committed.clear(); // a graph translated again pairs its own two streams
            both
                    .transform("versions: seal committed files", Types.VOID, new VersionCommitter(layout, build,
                            Set.of(VersionSealer.FRAMES, VersionSealer.CLIP_MANIFEST), o.sealInterval.toMillis()))
                    .uid("version-committer").setParallelism(1).setMaxParallelism(1)
                    .sinkTo(new DiscardingSink<>()).uid("version-committer-end").name("versions").setParallelism(1);
        };
        frames.sinkTo(new ReportingFileSink<>(FileSink
                        .forBulkFormat(layout.framesDir(buildId), TarShardWriter.factory())
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withRollingPolicy(new RollOnSizeOrCheckpoint<>(o.shardTargetBytes))
                        .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("frames").withPartSuffix(".tar").build())
                        .build(), VersionSealer.FRAMES, toCommitter))
                .uid("shards-frames").name("shards: WebDataset tar");
        decisions.sinkTo(new ReportingFileSink<>(FileSink
                        .forBulkFormat(layout.clipsDir(buildId), AvroParquetWriters.forSpecificRecord(ClipRow.class))
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withRollingPolicy(OnCheckpointRollingPolicy.build())
                        .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("clips").withPartSuffix(".parquet").build())
                        .build(), VersionSealer.CLIP_MANIFEST, toCommitter))
                .uid("shards-clip-manifest").name("shards: clip manifest");
        decisions
                .filter(row -> !Decisions.ACCEPTED.equals(row.getDecision()))
                .uid("rejections-filter").name("rejections")
                .sinkTo(KafkaSink.<ClipRow>builder()
                        .setBootstrapServers(o.bootstrapServers)
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .setRecordSerializer(new RejectionRecords(o.rejectedTopic))
                        .build())
                .uid("rejections-topic").name("rejections: " + o.rejectedTopic);
    }
}
