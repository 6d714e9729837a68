package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.consent.ConsentPublisher;
import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import dev.clipcurate.pipeline.intake.DonationPublisher;
import dev.clipcurate.pipeline.job.CurationOptions;
import dev.clipcurate.pipeline.job.CurationRunner;
import dev.clipcurate.pipeline.shards.VersionSealer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

/** Everything in one process: broker, donations, the build, a sealed version. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts a real Kafka broker (KRaft) in-process and a Flink MiniCluster, donates sample clips "
                + "of real footage (or every file in --clips), runs the curation build and seals the next version "
                + "under --warehouse. Every sample donor but one has granted consent on donors.consent first.",
                "The broker keeps its log in <warehouse>/.demo-kafka, so a second demo continues the same topic."})
final class DemoCommand implements Callable<Integer> {
    static final String DEMO_KEY_FILE = ".demo-pseudonym.key";

    @Option(names = "--clips", paramLabel = "DIR",
            description = "Donate every file in DIR (videos or not). DIR/donations.csv, if present, gives each file's "
                    + "metadata. Default: the built-in sample clips.")
    Path clips;

    @Option(names = "--warehouse", paramLabel = "DIR", defaultValue = "./warehouse",
            description = "Warehouse root (default: ${DEFAULT-VALUE}).")
    Path warehouse;

    @Option(names = "--dataset", defaultValue = "clips", description = "Dataset name (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--samples", paramLabel = "DIR", hidden = true,
            description = "Where scripts/fetch-samples put the sample footage.")
    Path samples = Paths.get(System.getProperty("curate.samples.dir", ".cache/samples"));

    @Mixin JobArgs job;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(warehouse);
        Path landing;
        if (clips != null) {
            if (!Files.isDirectory(clips)) throw new IllegalArgumentException("--clips " + clips + " is not a directory");
            landing = clips.toAbsolutePath().normalize();
            if (!Files.exists(landing.resolve(DonationPublisher.METADATA_FILE))) {
                System.out.println("No " + DonationPublisher.METADATA_FILE + " in " + landing + ": every file gets the "
                        + "default metadata (donor demo-donor-1, campaign package-theft, camera camera-1, captured at "
                        + "the file's modification time, no staged declaration).");
            }
        } else {
            landing = DemoClips.prepare(samples, warehouse.resolve(".demo-landing"));
            System.out.println("Sample clips (real footage from Debian's opencv-doc, plus a re-sent copy, two broken files and an upload from a donor who never gave consent): " + landing);
        }

        CurationOptions o = new CurationOptions();
        job.applyTo(o);
        o.landingRoot = landing.toString();
        o.warehouse = warehouse.toString();
        o.dataset = dataset;
        if (o.pseudonymKey == null) o.pseudonymKey = demoKey(warehouse);

        System.out.println("Starting Kafka (KRaft, in-process)…");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(warehouse.resolve(".demo-kafka"), false, 0)) {
            o.bootstrapServers = kafka.bootstrapServers();
            kafka.createTopic(o.donationsTopic, 2);
            kafka.createTopic(o.rejectedTopic, 1);
            kafka.createTopic(o.consentTopic, 1, ConsentPublisher.TOPIC_CONFIG);
            grantDemoDonors(kafka, o, landing);
            try (DonationPublisher publisher = new DonationPublisher(o.bootstrapServers, o.donationsTopic)) {
                int n = publisher.donateDirectory(landing, landing).size();
                System.out.printf("Donated %d file(s) to %s on %s%n", n, o.donationsTopic, o.bootstrapServers);
            }
            VersionSealer.Sealed sealed = new CurationRunner(o, System.out)
                    .run(CurationRunner.Mode.BATCH, true, List.of("demo"));
            if (sealed != null) BuildSummary.print(sealed, System.out);
        }
        return 0;
    }

    /**
     * Grants consent for the donors of the demo's files, once per warehouse: a later demo must not undo a
     * revocation a steward recorded in between.
     */
    private void grantDemoDonors(EmbeddedKafka kafka, CurationOptions o, Path landing) throws Exception {
        try (var admin = kafka.admin()) {
            var tp = new org.apache.kafka.common.TopicPartition(o.consentTopic, 0);
            long events = admin.listOffsets(java.util.Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .all().get(60, java.util.concurrent.TimeUnit.SECONDS).get(tp).offset();
            if (events > 0) {
                System.out.printf("%s already holds %d consent event(s) from an earlier demo: no new grants%n", o.consentTopic, events);
                return;
            }
        }
        java.util.Set<String> granting = new java.util.TreeSet<>(DonationPublisher.donorIds(landing));
        if (clips == null) granting.remove(DemoClips.DONOR_WITHOUT_CONSENT);
        try (ConsentPublisher consent = new ConsentPublisher(o.bootstrapServers, o.consentTopic)) {
            consent.grantTraining(granting, "donor-terms-2026-01", "demo");
        }
        System.out.printf("Published %d donor grant(s) of consent for training to %s%s%n", granting.size(),
                o.consentTopic, clips == null ? " (not for the sample donor who never gave it)" : "");
    }

    /** The demo's own pseudonym key, made once per warehouse; real runs take theirs from the environment. */
    static byte[] demoKey(Path warehouse) throws IOException {
        Path file = warehouse.resolve(DEMO_KEY_FILE);
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Files.writeString(file, HexFormat.of().formatHex(random), StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            System.out.println("No " + JobArgs.KEY_ENV + " set: made a random demo pseudonym key in " + file);
        }
        return Files.readString(file, StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8);
    }

    /** The built-in sample set: real footage, a copy of one clip, and two files that must be rejected. */
    static final class DemoClips {
        /** The sample donor who never granted consent: the demo shows their clip rejected no_consent. */
        static final String DONOR_WITHOUT_CONSENT = "donor-0004";

        private DemoClips() {}

        static Path prepare(Path samples, Path landing) throws IOException {
            Files.createDirectories(landing);
            copy(samples, "vtest.avi", landing, "front-street.avi");
            copy(samples, "Megamind.avi", landing, "driveway-staged.avi");
            copy(samples, "tree.avi", landing, "garden.avi");
            // the same file uploaded again the next day, as a donor might: an exact copy, never paid twice
            copy(samples, "Megamind.avi", landing, "driveway-staged-resent.avi");
            // a broken upload: the first third of a real clip
            byte[] street = Files.readAllBytes(samples.resolve("vtest.avi"));
            Files.write(landing.resolve("front-street-upload-cut.avi"),
                    java.util.Arrays.copyOf(street, street.length / 3));
            // an upload from a neighbour's account that never agreed to the programme's terms
            copy(samples, "vtest.avi", landing, "porch-no-consent.avi");
            Files.writeString(landing.resolve("notes-not-a-video.txt"), "donor's note: camera faces the driveway\n");
            Files.writeString(landing.resolve(DonationPublisher.METADATA_FILE), String.join("\n",
                    "file,donor_id,campaign,camera_id,captured_at,declared_staged",
                    "front-street.avi,donor-0001,package-theft,front-door,2026-11-20T18:04:05Z,false",
                    "driveway-staged.avi,donor-0002,car-door,driveway,2026-11-20T21:30:00Z,true",
                    "garden.avi,donor-0003,package-theft,garden,2026-11-21T07:15:00Z,",
                    "driveway-staged-resent.avi,donor-0002,car-door,driveway,2026-11-20T21:30:00Z,true",
                    "front-street-upload-cut.avi,donor-0001,package-theft,front-door,2026-11-21T18:00:00Z,false",
                    "notes-not-a-video.txt,donor-0002,car-door,driveway,2026-11-21T09:00:00Z,",
                    "porch-no-consent.avi," + DONOR_WITHOUT_CONSENT + ",package-theft,porch,2026-11-21T12:00:00Z,") + "\n");
            return landing.toAbsolutePath().normalize();
        }

        private static void copy(Path samples, String name, Path landing, String as) throws IOException {
            Path source = samples.resolve(name);
            if (!Files.exists(source)) {
                throw new IOException("sample footage " + source + " is missing: run scripts/fetch-samples");
            }
            Files.copy(source, landing.resolve(as), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
