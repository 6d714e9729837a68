package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.intake.DonationPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Publishes donation messages for files in the landing area. */
@Command(name = "donate", mixinStandardHelpOptions = true,
        description = {"Publishes one donation message per file, as an upload service would: sha256, size, the "
                + "file's path relative to the landing root, and metadata from donations.csv beside the files "
                + "(file,donor_id,campaign,camera_id,captured_at,declared_staged) or defaults."})
final class DonateCommand implements Callable<Integer> {
    @Mixin KafkaArgs kafka;

    @Option(names = "--landing", paramLabel = "DIR", defaultValue = "./landing",
            description = "Landing root the files lie under (default: ${DEFAULT-VALUE}).")
    Path landing;

    @Parameters(paramLabel = "FILE|DIR", arity = "0..*",
            description = "Files or directories (every file in them) to donate. Default: the whole landing root.")
    List<Path> targets = new ArrayList<>();

    @Option(names = "--grant-consent",
            description = "First publish a grant of consent for training for every donor of the files (as if each had "
                    + "signed up in the app), on --consent-topic. For trying the pipeline out; real grants come from the app.")
    boolean grantConsent;

    @Override
    public Integer call() throws Exception {
        Path root = landing.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) throw new IllegalArgumentException("landing root " + root + " is not a directory");
        if (targets.isEmpty()) targets.add(root);
        if (grantConsent) {
            java.util.Set<String> donors = new java.util.TreeSet<>();
            for (Path t : targets) {
                Path target = t.toAbsolutePath().normalize();
                if (Files.isDirectory(target)) {
                    donors.addAll(DonationPublisher.donorIds(target));
                } else {
                    var meta = DonationPublisher.readMetadata(target.getParent()).get(target.getFileName().toString());
                    donors.add(meta == null || meta.donorId() == null ? DonationPublisher.DEFAULT_DONOR : meta.donorId());
                }
            }
            try (var consent = new dev.clipcurate.pipeline.consent.ConsentPublisher(kafka.bootstrapServers, kafka.consentTopic)) {
                consent.grantTraining(donors, "donor-terms-2026-01", "donate --grant-consent");
            }
            System.out.printf("granted consent for training to %d donor(s) on %s%n", donors.size(), kafka.consentTopic);
        }
        int sent = 0;
        try (DonationPublisher publisher = new DonationPublisher(kafka.bootstrapServers, kafka.topic)) {
            for (Path t : targets) {
                Path target = t.toAbsolutePath().normalize();
                if (!target.startsWith(root)) {
                    throw new IllegalArgumentException(t + " is not under the landing root " + root);
                }
                if (Files.isDirectory(target)) {
                    for (ObjectNode msg : publisher.donateDirectory(root, target)) {
                        System.out.printf("donated %s as %s%n", msg.get("clip_uri").asText(), msg.get("clip_id").asText());
                        sent++;
                    }
                } else {
                    Map<String, DonationPublisher.Metadata> meta = DonationPublisher.readMetadata(target.getParent());
                    ObjectNode msg = DonationPublisher.message(root, target, meta.get(target.getFileName().toString()));
                    publisher.send(msg);
                    System.out.printf("donated %s as %s%n", msg.get("clip_uri").asText(), msg.get("clip_id").asText());
                    sent++;
                }
            }
        }
        System.out.printf("%d donation message(s) sent to %s on %s%n", sent, kafka.topic, kafka.bootstrapServers);
        return 0;
    }
}
