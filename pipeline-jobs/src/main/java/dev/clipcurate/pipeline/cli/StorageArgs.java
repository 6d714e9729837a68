package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.job.CurationOptions;
import picocli.CommandLine.Option;

/** The landing area clips are read from and the warehouse datasets are written to. */
public class StorageArgs {
    @Option(names = "--landing", paramLabel = "DIR|URI", defaultValue = "./landing",
            description = "Landing root: clip URIs must point inside it (default: ${DEFAULT-VALUE}).")
    String landing;

    @Option(names = "--warehouse", paramLabel = "DIR|URI", defaultValue = "./warehouse",
            description = "Warehouse root (default: ${DEFAULT-VALUE}).")
    String warehouse;

    @Option(names = "--dataset", defaultValue = "clips", description = "Dataset name (default: ${DEFAULT-VALUE}).")
    String dataset;

    void applyTo(CurationOptions o) {
        o.landingRoot = landing;
        o.warehouse = warehouse;
        o.dataset = dataset;
    }
}
