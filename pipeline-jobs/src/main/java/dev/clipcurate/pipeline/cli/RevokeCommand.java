package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.consent.ConsentPublisher;
import dev.clipcurate.schemas.ConsentEvent;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;

/** A steward records that a donor withdrew consent. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = {"Publishes a donor's revocation of consent on the consent topic (schemas/.../consent_event.avsc), "
                + "keyed by donor so that the donor's events stay in order. The donor id is the account id the "
                + "donations carry; it is sent to Kafka as the donations are and is not printed."})
final class RevokeCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--donor", required = true, paramLabel = "ID", description = "The donor's account id.")
    String donor;

    @Option(names = "--scope", defaultValue = "training", description = "What consent is withdrawn for (default: ${DEFAULT-VALUE}).")
    String scope;

    @Option(names = "--at", paramLabel = "INSTANT", description = "When the donor revoked, ISO-8601 (default: now).")
    Instant at;

    @Option(names = "--recorded-by", defaultValue = "steward", description = "Who records it (default: ${DEFAULT-VALUE}).")
    String recordedBy;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--consent-topic", defaultValue = ConsentPublisher.DEFAULT_TOPIC,
            description = "Consent topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ConsentEvent event = ConsentPublisher.event(donor, ConsentPublisher.REVOKE, scope, null, at, recordedBy);
        try (ConsentPublisher publisher = new ConsentPublisher(bootstrapServers, topic)) {
            RecordMetadata sent = publisher.publish(event);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Published the revocation (scope %s, at %s) on %s, partition %d, offset %d.%n", event.getScope(),
                    event.getAt(), topic, sent.partition(), sent.offset());
            out.flush();
        }
        return 0;
    }
}
