package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.job.CurationOptions;
import picocli.CommandLine.Option;

/** Where the donations come from and where rejections go. */
public class KafkaArgs {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--topic", defaultValue = "clips.donated", description = "Donations topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--rejected-topic", defaultValue = "clips.rejected",
            description = "Topic for rejected clips' manifest rows (default: ${DEFAULT-VALUE}).")
    String rejectedTopic;

    @Option(names = "--consent-topic", defaultValue = dev.clipcurate.pipeline.consent.ConsentPublisher.DEFAULT_TOPIC,
            description = "Topic of the donors' consent events, read from its beginning by every run (default: ${DEFAULT-VALUE}).")
    String consentTopic;

    @Option(names = "--group", defaultValue = "clip-curation", description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
    String group;

    void applyTo(CurationOptions o) {
        o.bootstrapServers = bootstrapServers;
        o.donationsTopic = topic;
        o.rejectedTopic = rejectedTopic;
        o.consentTopic = consentTopic;
        o.consumerGroup = group;
    }
}
