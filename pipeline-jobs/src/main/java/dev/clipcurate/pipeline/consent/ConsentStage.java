package dev.clipcurate.pipeline.consent;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.DonationMessage;
import dev.clipcurate.pipeline.intake.DonationMessageDeserializer;
import dev.clipcurate.pipeline.job.CurationOptions;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Wires the consent stage: the consent topic, read from its beginning on every run (a donor's whole history
 * decides), parsed and pseudonymised, broadcast to {@link CheckConsent} keyed by donor. Rejections are on the
 * returned operator's {@code Decisions.TAG} side output.
 */
public final class ConsentStage {
    private ConsentStage() {}

    /**
     * @param bounded      read the consent topic up to its end as of the start (a build), else keep reading
     * @param batch        a BATCH build: judge every clip as of {@code buildStart} without waiting
     * @param buildStartMs when the build started, epoch ms
     * @param consentEnds  per consent partition, its end offset when the run started (streaming waits until read)
     */
    public static SingleOutputStreamOperator<ClipTask> check(StreamExecutionEnvironment env, CurationOptions o,
                                                             DataStream<ClipTask> clips, boolean bounded, boolean batch,
                                                             long buildStartMs, java.util.Map<Integer, Long> consentEnds,
                                                             String buildId) {
        var source = KafkaSource.<DonationMessage>builder()
                .setBootstrapServers(o.bootstrapServers)
                .setTopics(o.consentTopic)
                .setGroupId(o.consumerGroup + "-consent")
                .setDeserializer(new DonationMessageDeserializer())
                .setStartingOffsets(OffsetsInitializer.earliest())
                // the offsets are in the job's checkpoints; a new run re-reads the topic from the start anyway
                .setProperty("commit.offsets.on.checkpoint", "false");
        if (bounded) source.setBounded(OffsetsInitializer.latest());

        BroadcastStream<ConsentUpdate> consent = env
                .fromSource(source.build(), WatermarkStrategy.noWatermarks(), "consent")
                .uid("consent-source")
                .process(new ParseConsentEvent(new DonorPseudonymizer(o.pseudonymKey)))
                .uid("consent-parse").name("consent: parse, pseudonymise")
                .broadcast(CheckConsent.HISTORIES, CheckConsent.READ_UP_TO);
        return clips
                .keyBy((KeySelector<ClipTask, String>) t -> t.donorPseudonym, Types.STRING)
                .connect(consent)
                .process(new CheckConsent(o.consentScope, batch ? buildStartMs : -1,
                        batch ? 0 : o.consentWait.toMillis(), batch ? java.util.Map.of() : consentEnds, buildId))
                .uid("consent-check").name("consent: the donor's grant holds");
    }
}
