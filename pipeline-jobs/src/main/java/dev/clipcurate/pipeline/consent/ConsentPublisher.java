package dev.clipcurate.pipeline.consent;

import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.schemas.ConsentEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Publishes consent events on the consent topic, keyed by donor so that one donor's events stay in order. */
public final class ConsentPublisher implements AutoCloseable {
    public static final String DEFAULT_TOPIC = "donors.consent";
    public static final String GRANT = "grant";
    public static final String REVOKE = "revoke";
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public ConsentPublisher(String bootstrapServers, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** A validated event; {@code at} null means now. */
    public static ConsentEvent event(String donorId, String action, String scope, String consentVersion, Instant at,
                                     String recordedBy) {
        if (donorId == null || donorId.isBlank()) throw new IllegalArgumentException("a consent event needs a donor id");
        if (!GRANT.equals(action) && !REVOKE.equals(action)) {
            throw new IllegalArgumentException("a consent event's action is grant or revoke, not " + action);
        }
        if (scope == null || scope.isBlank()) throw new IllegalArgumentException("a consent event needs a scope, e.g. training");
        return ConsentEvent.newBuilder().setDonorId(donorId).setAction(action).setScope(scope)
                .setConsentVersion(consentVersion).setAt((at == null ? Instant.now() : at).toString())
                .setRecordedBy(recordedBy).build();
    }

    /** Sends and waits for the broker's acknowledgement. */
    public RecordMetadata publish(ConsentEvent event) throws Exception {
        return producer.send(new ProducerRecord<>(topic, event.getDonorId(), AvroJson.toJsonBytes(event)))
                .get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}
