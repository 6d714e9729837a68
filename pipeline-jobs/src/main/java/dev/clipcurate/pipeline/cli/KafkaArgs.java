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

    @Option(names = "--group", defaultValue = "clip-curation", description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
    String group;

    void applyTo(CurationOptions o) {
        o.bootstrapServers = bootstrapServers;
        o.donationsTopic = topic;
        o.rejectedTopic = rejectedTopic;
        o.consumerGroup = group;
    }
}
