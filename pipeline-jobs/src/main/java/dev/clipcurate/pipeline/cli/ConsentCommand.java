package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.consent.ConsentPublisher;
import dev.clipcurate.schemas.ConsentEvent;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;

/** What grant and revoke share: one consent event for one donor, published on the consent topic. */
abstract class ConsentCommand implements Callable<Integer> {
    @Option(names = "--donor", required = true, paramLabel = "ID", description = "The donor's account id.")
    String donor;

    @Option(names = "--scope", defaultValue = "training",
            description = "What the consent is for; 'all' covers every scope (default: ${DEFAULT-VALUE}).")
    String scope;

    @Option(names = "--at", paramLabel = "INSTANT", description = "When the donor gave it, ISO-8601 (default: now).")
    Instant at;

    @Option(names = "--recorded-by", defaultValue = "steward", description = "Who records it (default: ${DEFAULT-VALUE}).")
    String recordedBy;

    @Mixin
    WarehouseArgs where = new WarehouseArgs();

    @Mixin
    ConsentTopicArgs consent = new ConsentTopicArgs();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    abstract String action();

    String consentVersion() {
        return null;
    }

    @Override
    public Integer call() throws Exception {
        ConsentEvent event = ConsentPublisher.event(donor, action(), scope, consentVersion(), at, recordedBy);
        PrintWriter out = spec.commandLine().getOut();
        try (ConsentTopicArgs.Broker broker = consent.open(where, out);
             ConsentPublisher publisher = new ConsentPublisher(broker.bootstrapServers(), consent.topic)) {
            RecordMetadata sent = publisher.publish(event);
            // the donor id is not printed: terminals and CI logs are not the place for it
            out.printf("Published the %s (scope %s, at %s) on %s, partition %d, offset %d.%n",
                    action().equals(ConsentPublisher.GRANT) ? "grant" : "revocation", event.getScope(), event.getAt(),
                    consent.topic, sent.partition(), sent.offset());
            out.flush();
        }
        return 0;
    }
}
