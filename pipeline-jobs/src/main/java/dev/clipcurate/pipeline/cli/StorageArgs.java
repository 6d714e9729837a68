package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.job.CurationOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The landing area clips are read from and the warehouse datasets are written to. */
public class StorageArgs {
    @Option(names = "--landing", paramLabel = "DIR|URI", defaultValue = "./landing",
            description = "Landing root: clip URIs must point inside it (default: ${DEFAULT-VALUE}).")
    String landing;

    @Mixin
    WarehouseArgs where = new WarehouseArgs();

    void applyTo(CurationOptions o) {
        o.landingRoot = landing;
        o.warehouse = where.warehouse;
        o.dataset = where.dataset;
    }
}
