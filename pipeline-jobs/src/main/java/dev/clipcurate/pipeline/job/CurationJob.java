package dev.clipcurate.pipeline.job;

import dev.clipcurate.pipeline.dedup.ArrivalStamps;
import dev.clipcurate.pipeline.dedup.BandIndex;
import dev.clipcurate.pipeline.dedup.CandidatePair;
import dev.clipcurate.pipeline.dedup.ClipFingerprint;
import dev.clipcurate.pipeline.dedup.DecideDuplicates;
import dev.clipcurate.pipeline.dedup.DropExactCopies;
import dev.clipcurate.pipeline.dedup.EarlierFingerprints;
import dev.clipcurate.pipeline.dedup.FingerprintClip;
import dev.clipcurate.pipeline.dedup.FingerprintStore;
import dev.clipcurate.pipeline.dedup.IndexedHash;
import dev.clipcurate.pipeline.dedup.Probe;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.DonationMessage;
import dev.clipcurate.pipeline.intake.DonationMessageDeserializer;
import dev.clipcurate.pipeline.intake.DropRedeliveries;
import dev.clipcurate.pipeline.intake.LandingArea;
import dev.clipcurate.pipeline.intake.ParseDonation;
import dev.clipcurate.pipeline.intake.RejectionRecords;
import dev.clipcurate.pipeline.intake.ResolveLandingFile;
import dev.clipcurate.pipeline.privacy.AnonymiseClip;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.RollOnSizeOrCheckpoint;
import dev.clipcurate.pipeline.shards.TarShardWriter;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.util.Collector;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.parquet.avro.AvroParquetWriters;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;

/**
 * Wires the curation stages; each stage is an operator in its own package.
 *
 * <pre>
 * Kafka clips.donated → ParseDonation → keyBy(clip id) DropRedeliveries → ResolveLandingFile
 *   → keyBy(sha256) DropExactCopies → FingerprintClip ─┬─ fingerprints (+ earlier versions') → keyBy(band) BandIndex
 *                                                      │      → keyBy(earlier clip) FingerprintStore ─ probes ─┐
 *                                                      └─ keyBy(clip) DecideDuplicates ◄────────────────────────┘
 *   → AnonymiseClip ─frames→ WebDataset tar shards
 * every stage's decision rows (side outputs) → clip manifest + clips.rejected
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
     */
    public static void define(StreamExecutionEnvironment env, CurationOptions o, String buildId,
                              Map<TopicPartition, Long> start, Map<TopicPartition, Long> end,
                              List<String> earlierClipManifests) {
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
        SingleOutputStreamOperator<ClipTask> resolved = firstDeliveries
                .process(new ResolveLandingFile(new LandingArea(o.landingRoot), o.maxFileBytes, buildId))
                .uid("intake-resolve").name("intake: resolve landing file");

        // dedup: exact copies by sha256, then near duplicates through the band index (see dedup.DecideDuplicates)
        SingleOutputStreamOperator<ClipTask> notCopies = resolved
                .keyBy((KeySelector<ClipTask, String>) t -> t.sha256, Types.STRING)
                .process(new DropExactCopies(earlierClipManifests, batch, buildId))
                .uid("dedup-exact").name("dedup: drop exact copies");
        SingleOutputStreamOperator<ClipTask> fingerprinted = notCopies
                .process(new FingerprintClip(o.decodeLimits(), !batch, buildId))
                .uid("dedup-fingerprint").name("dedup: decode and fingerprint");
        DataStream<ClipTask> stamped = fingerprinted
                .assignTimestampsAndWatermarks(new ArrivalStamps())
                .uid("dedup-stamps").name("dedup: arrival stamps");
        DataStream<ClipFingerprint> fingerprints = stamped
                .map(t -> t.fingerprint, TypeInformation.of(ClipFingerprint.class))
                .uid("dedup-fingerprints").name("dedup: fingerprints");
        if (!earlierClipManifests.isEmpty()) {
            fingerprints = fingerprints.union(EarlierFingerprints.read(env, earlierClipManifests));
        }
        DataStream<CandidatePair> candidates = fingerprints
                .flatMap((ClipFingerprint f, Collector<IndexedHash> out) -> IndexedHash.of(f).forEach(out::collect),
                        TypeInformation.of(IndexedHash.class))
                .uid("dedup-band-entries").name("dedup: band keys")
                .keyBy((KeySelector<IndexedHash, Integer>) h -> h.bandKey, Types.INT)
                .process(new BandIndex())
                .uid("dedup-band-index").name("dedup: band index");
        DataStream<Probe> probes = fingerprints
                .keyBy((KeySelector<ClipFingerprint, String>) f -> f.clipId, Types.STRING)
                .connect(candidates.keyBy((KeySelector<CandidatePair, String>) p -> p.earlierClipId, Types.STRING))
                .process(new FingerprintStore())
                .uid("dedup-fingerprint-store").name("dedup: fingerprint store");
        SingleOutputStreamOperator<ClipTask> unique = stamped
                .keyBy((KeySelector<ClipTask, String>) t -> t.clipId, Types.STRING)
                .connect(probes.keyBy((KeySelector<Probe, String>) p -> p.clipId, Types.STRING))
                .process(new DecideDuplicates(o.dedupSettings(), buildId))
                .uid("dedup-decide").name("dedup: verify candidates, decide");

        SingleOutputStreamOperator<FrameSample> frames = unique
                .process(new AnonymiseClip(o.decodeLimits(), o.privacySettings(), buildId))
                .uid("privacy-anonymise").name("privacy: decode, anonymise faces, verify");

        DataStream<ClipRow> decisions = parsed.getSideOutput(Decisions.TAG)
                .union(resolved.getSideOutput(Decisions.TAG), notCopies.getSideOutput(Decisions.TAG),
                        fingerprinted.getSideOutput(Decisions.TAG), unique.getSideOutput(Decisions.TAG),
                        frames.getSideOutput(Decisions.TAG));

        DatasetLayout layout = new DatasetLayout(o.warehouse, o.dataset);
        frames.sinkTo(FileSink
                        .forBulkFormat(layout.stagingFrames(buildId), TarShardWriter.factory())
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withRollingPolicy(new RollOnSizeOrCheckpoint<>(o.shardTargetBytes))
                        .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("frames").withPartSuffix(".tar").build())
                        .build())
                .uid("shards-frames").name("shards: WebDataset tar");
        decisions.sinkTo(FileSink
                        .forBulkFormat(layout.stagingClips(buildId), AvroParquetWriters.forSpecificRecord(ClipRow.class))
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withRollingPolicy(OnCheckpointRollingPolicy.build())
                        .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("clips").withPartSuffix(".parquet").build())
                        .build())
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
