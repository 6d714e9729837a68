package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.job.CurationOptions;
import dev.clipcurate.pipeline.job.CurationRunner;
import dev.clipcurate.pipeline.shards.VersionSealer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** The nightly bounded build. */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Runs the curation job as a bounded Flink BATCH job over the donations that arrived since "
                + "the newest version (its Kafka offsets) up to now, and seals the next dataset version.",
                "Exit code 0 also when there was nothing new (no version is sealed then)."})
final class BuildCommand implements Callable<Integer> {
    @Mixin KafkaArgs kafka;
    @Mixin StorageArgs storage;
    @Mixin JobArgs job;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CurationOptions o = job.options(kafka, storage);
        VersionSealer.Sealed sealed = new CurationRunner(o, System.out)
                .run(CurationRunner.Mode.BATCH, true, JobArgs.typedArgs(spec));
        if (sealed != null) BuildSummary.print(sealed, System.out);
        return 0;
    }
}
