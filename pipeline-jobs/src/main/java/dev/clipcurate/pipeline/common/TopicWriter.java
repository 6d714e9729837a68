package dev.clipcurate.pipeline.common;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes keyed messages to one topic and waits for each to be acknowledged by all in-sync replicas (idempotent
 * producer): what the command-line publishers of donations and consent events need, one message at a time.
 */
public final class TopicWriter implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public TopicWriter(String bootstrapServers, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends one message and waits for the broker's acknowledgement. */
    public RecordMetadata send(String key, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, key, value)).get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}
