package dev.clipcurate.pipeline.consent;

import dev.clipcurate.pipeline.intake.DonationMessage;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The consent topic read once from beginning to end, outside the job: every donor's history, pseudonymised as
 * the job does it. For the steward commands (purge, audit) that must know who revoked.
 */
public final class ConsentLog {
    private static final int MAX_EXAMPLES = 10;
    private final Map<String, ConsentHistory> histories;
    private final int invalidEvents;
    private final java.util.List<String> invalidExamples;

    private ConsentLog(Map<String, ConsentHistory> histories, int invalidEvents, java.util.List<String> invalidExamples) {
        this.histories = histories;
        this.invalidEvents = invalidEvents;
        this.invalidExamples = java.util.List.copyOf(invalidExamples);
    }

    /** Reads the whole topic as it is now; fails when the broker cannot be reached or the topic does not exist. */
    public static ConsentLog read(String bootstrapServers, String topic, DonorPseudonymizer pseudonymizer,
                                  Duration timeout) throws Exception {
        try {
            return readAll(bootstrapServers, topic, pseudonymizer, timeout);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IllegalStateException("could not read the consent topic " + topic + " on " + bootstrapServers + " ("
                    + e.getMessage() + "): is the broker running? Pass --bootstrap-servers to name it", e);
        }
    }

    private static ConsentLog readAll(String bootstrapServers, String topic, DonorPseudonymizer pseudonymizer,
                                      Duration timeout) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // a mistyped topic name must be an error, not a new empty topic with nobody revoked
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Map<String, ConsentHistory> histories = new HashMap<>();
        int invalid = 0;
        java.util.List<String> examples = new java.util.ArrayList<>();
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("the consent topic " + topic + " does not exist on " + bootstrapServers
                        + ": check --consent-topic and --bootstrap-servers");
            }
            List<TopicPartition> tps = partitions.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, timeout);
            while (tps.stream().anyMatch(tp -> consumer.position(tp, timeout) < ends.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("timed out reading the consent topic " + topic + " on " + bootstrapServers
                        + " after " + timeout.toSeconds() + " s: is the broker overloaded or the topic very large?");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    DonationMessage m = new DonationMessage(r.topic(), r.partition(), r.offset(), r.timestamp(),
                            r.value() == null ? new byte[0] : r.value());
                    try {
                        ConsentUpdate u = ParseConsentEvent.parse(m, pseudonymizer);
                        histories.merge(u.donorPseudonym, new ConsentHistory().with(u), (a, b) -> a.with(u));
                    } catch (IllegalArgumentException e) {
                        // the parser's message starts with the reason code and never quotes the event
                        if (invalid++ < MAX_EXAMPLES) examples.add(m.topic + "/" + m.partition + "@" + m.offset + " " + e.getMessage());
                    }
                }
            }
        }
        return new ConsentLog(histories, invalid, examples);
    }

    /** The donor's history, or null when the topic has no event for the donor. */
    public ConsentHistory history(String donorPseudonym) {
        return histories.get(donorPseudonym);
    }

    /** Donors whose last event for the scope at that time is a revocation. */
    public Set<String> revokedAt(String scope, long atMillis) {
        Set<String> revoked = new TreeSet<>();
        histories.forEach((donor, h) -> {
            ConsentUpdate last = h.lastAt(scope, atMillis);
            if (last != null && !last.isGrant()) revoked.add(donor);
        });
        return revoked;
    }

    public int donors() {
        return histories.size();
    }

    public int invalidEvents() {
        return invalidEvents;
    }

    /** The first invalid events: position, reason code and what is wrong (never their content). */
    public java.util.List<String> invalidExamples() {
        return invalidExamples;
    }
}
