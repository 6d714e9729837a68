package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** A local single-node broker for trying run, build and donate without installing Kafka. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Runs a real single-node Kafka broker (KRaft, in-process) on localhost until Ctrl-C, and creates "
                + "the donations and rejections topics. For local use; on a cluster use your Kafka."})
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9092", description = "Client port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "./.kafka",
            description = "Log directory; kept between runs (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the donations topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--topic", defaultValue = "clips.donated", description = "Donations topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--rejected-topic", defaultValue = "clips.rejected", description = "Rejections topic (default: ${DEFAULT-VALUE}).")
    String rejectedTopic;

    @Option(names = "--consent-topic", defaultValue = dev.clipcurate.pipeline.consent.ConsentPublisher.DEFAULT_TOPIC,
            description = "Consent events topic (default: ${DEFAULT-VALUE}).")
    String consentTopic;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.toAbsolutePath(), false, port);
        kafka.createTopic(topic, partitions);
        kafka.createTopic(rejectedTopic, 1);
        kafka.createTopic(consentTopic, 1, dev.clipcurate.pipeline.consent.ConsentPublisher.TOPIC_CONFIG);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "broker-shutdown"));
        System.out.printf("Kafka broker on %s (log in %s), topics %s, %s and %s. Ctrl-C stops it.%n",
                kafka.bootstrapServers(), dir.toAbsolutePath(), topic, rejectedTopic, consentTopic);
        stopped.await();
        return 0;
    }
}
