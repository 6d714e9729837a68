package dev.clipcurate.pipeline.consent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.cli.CurateCliTest;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import dev.clipcurate.pipeline.testing.KafkaBroker;
import dev.clipcurate.schemas.ConsentEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `curate revoke` against a real in-process broker: the event on the topic, keyed by donor, valid against its schema. */
class RevokeCommandITCase {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void aRevocationLandsOnTheConsentTopicKeyedByDonor() throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        String topic = "consent-" + System.nanoTime();
        kafka.createTopic(topic, 1);
        CurateCliTest.Result r = CurateCliTest.run("revoke", "--donor", "donor-0042", "--at", "2026-11-22T10:00:00Z",
                "--bootstrap-servers", kafka.bootstrapServers(), "--consent-topic", topic);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Published the revocation") && r.out().contains("offset 0"), r.out());
        assertFalse(r.out().contains("donor-0042"), "the raw donor id is not printed");

        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-consent",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.isEmpty() && System.currentTimeMillis() < deadline) consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        assertEquals(1, records.size());
        assertEquals("donor-0042", records.get(0).key());
        JsonNode json = AvroJson.MAPPER.readTree(records.get(0).value());
        ConsentEvent event = AvroJson.toRecord(json, ConsentEvent.class);
        assertEquals("revoke", event.getAction());
        assertEquals("training", event.getScope());
        assertEquals("2026-11-22T10:00:00Z", event.getAt());
        assertEquals("steward", event.getRecordedBy());
    }

    @Test
    void eventsAreValidatedBeforeAnythingIsSent() {
        assertThrows(IllegalArgumentException.class, () -> ConsentPublisher.event(" ", "revoke", "training", null, null, null));
        var e = assertThrows(IllegalArgumentException.class, () -> ConsentPublisher.event("d", "pause", "training", null, null, null));
        assertTrue(e.getMessage().contains("grant or revoke"), e.getMessage());
        assertEquals(2, CurateCliTest.run("revoke").exit(), "--donor is required");
    }
}
