package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.consent.ConsentPublisher;
import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the steward commands find the consent topic. Without --bootstrap-servers a warehouse that
 * scripts/curate demo left behind is served by the demo's own broker log (started in-process for the command),
 * so grant, revoke, purge and audit work on it with nothing else running.
 */
public class ConsentTopicArgs {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers. Default: the demo's broker log <warehouse>/.demo-kafka when the "
                    + "warehouse has one (started in-process for this command), else localhost:9092.")
    String bootstrapServers;

    @Option(names = "--consent-topic", defaultValue = ConsentPublisher.DEFAULT_TOPIC,
            description = "Topic of the donors' consent events (default: ${DEFAULT-VALUE}).")
    String topic;

    /** An open connection to the broker: the demo's, started here, or the one named. */
    public static final class Broker implements AutoCloseable {
        private final String bootstrapServers;
        private final EmbeddedKafka started;

        Broker(String bootstrapServers, EmbeddedKafka started) {
            this.bootstrapServers = bootstrapServers;
            this.started = started;
        }

        public String bootstrapServers() {
            return bootstrapServers;
        }

        @Override
        public void close() {
            if (started != null) started.close();
        }
    }

    Broker open(WarehouseArgs where, PrintWriter out) throws Exception {
        if (bootstrapServers != null) return new Broker(bootstrapServers, null);
        Path demoLog = demoBrokerLog(where);
        if (demoLog == null) return new Broker("localhost:9092", null);
        out.println("Using the demo's broker log " + demoLog + " (pass --bootstrap-servers for another broker).");
        out.flush();
        EmbeddedKafka kafka = EmbeddedKafka.start(demoLog, false, 0);
        return new Broker(kafka.bootstrapServers(), kafka);
    }

    /** The whole consent topic as it is now, donors pseudonymised with the builds' key. */
    dev.clipcurate.pipeline.consent.ConsentLog readLog(WarehouseArgs where, byte[] pseudonymKey, PrintWriter out,
                                                       java.time.Duration timeout) throws Exception {
        var pseudonymizer = new dev.clipcurate.pipeline.privacy.DonorPseudonymizer(pseudonymKey);
        try (Broker broker = open(where, out)) {
            return dev.clipcurate.pipeline.consent.ConsentLog.read(broker.bootstrapServers(), topic, pseudonymizer, timeout);
        }
    }

    private static Path demoBrokerLog(WarehouseArgs where) {
        Path root = where.localRoot();
        if (root == null) return null;
        Path log = root.resolve(".demo-kafka").toAbsolutePath().normalize();
        return Files.isRegularFile(log.resolve("meta.properties")) ? log : null;
    }
}
