package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.shards.DatasetLayout;
import picocli.CommandLine.Option;

/** Which dataset of which warehouse a command works on. */
public class WarehouseArgs {
    @Option(names = "--warehouse", paramLabel = "DIR|URI", defaultValue = "./warehouse",
            description = "Warehouse root (default: ${DEFAULT-VALUE}).")
    String warehouse;

    @Option(names = "--dataset", defaultValue = "clips", description = "Dataset name (default: ${DEFAULT-VALUE}).")
    String dataset;

    DatasetLayout layout() {
        return new DatasetLayout(warehouse, dataset);
    }

    /** The warehouse as a local directory, or null when it is on another file system (s3:, hdfs:). */
    java.nio.file.Path localRoot() {
        if (warehouse.startsWith("file:")) return java.nio.file.Paths.get(java.net.URI.create(warehouse));
        return warehouse.contains(":") ? null : java.nio.file.Paths.get(warehouse);
    }
}
