package dev.clipcurate.pipeline.consent;

import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.schemas.ConsentEvent;
import dev.clipcurate.pipeline.common.TopicWriter;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Instant;

/** Publishes consent events on the consent topic, keyed by donor so that one donor's events stay in order. */
public final class ConsentPublisher implements AutoCloseable {
    public static final String DEFAULT_TOPIC = "donors.consent";
    /** The consent topic keeps every event: builds judge as of a time and audits re-check old builds. */
    public static final java.util.Map<String, String> TOPIC_CONFIG = java.util.Map.of("retention.ms", "-1");
    public static final String GRANT = "grant";
    public static final String REVOKE = "revoke";
    private final TopicWriter writer;

    public ConsentPublisher(String bootstrapServers, String topic) {
        this.writer = new TopicWriter(bootstrapServers, topic);
    }

    /** A validated event; {@code at} null means now. */
    public static ConsentEvent event(String donorId, String action, String scope, String consentVersion, Instant at,
                                     String recordedBy) {
        if (donorId == null || donorId.isBlank()) throw new IllegalArgumentException("a consent event needs a donor id");
        if (!GRANT.equals(action) && !REVOKE.equals(action)) {
            throw new IllegalArgumentException("a consent event's action is grant or revoke");
        }
        if (scope == null || scope.isBlank()) throw new IllegalArgumentException("a consent event needs a scope, e.g. training");
        return ConsentEvent.newBuilder().setDonorId(donorId).setAction(action).setScope(scope)
                .setConsentVersion(consentVersion).setAt((at == null ? Instant.now() : at).toString())
                .setRecordedBy(recordedBy).build();
    }

    /** Publishes a grant for training, now, for each donor (the demo, tests, donate --grant-consent). */
    public void grantTraining(java.util.Collection<String> donorIds, String consentVersion, String recordedBy) throws Exception {
        for (String donor : new java.util.TreeSet<>(donorIds)) {
            publish(event(donor, GRANT, "training", consentVersion, null, recordedBy));
        }
    }

    /** Sends and waits for the broker's acknowledgement. */
    public RecordMetadata publish(ConsentEvent event) throws Exception {
        return writer.send(event.getDonorId(), AvroJson.toJsonBytes(event));
    }

    @Override
    public void close() {
        writer.close();
    }
}
