package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.job.CurationOptions;
import dev.clipcurate.pipeline.job.CurationRunner;
import dev.clipcurate.pipeline.shards.VersionSealer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** The long-running streaming job. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the curation job in Flink STREAMING mode with exactly-once checkpoints, from where the "
                + "newest version ended. On Ctrl-C (SIGINT/SIGTERM) it drains: the sources stop, a final "
                + "savepoint commits every shard, and what was curated is sealed as the next version.",
                "With --until-now it stops by itself at the topic's end as of start."})
final class RunCommand implements Callable<Integer> {
    @Mixin KafkaArgs kafka;
    @Mixin StorageArgs storage;
    @Mixin JobArgs job;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--until-now", description = "Stop at the end of the topic as of start, then seal.")
    boolean untilNow;

    @Override
    public Integer call() throws Exception {
        CurationOptions o = job.options(kafka, storage);
        CurationRunner runner = new CurationRunner(o, System.out);
        CountDownLatch sealedOrFailed = new CountDownLatch(1);
        Thread drain = new Thread(() -> {
            try {
                System.out.println("Stopping: draining the job and sealing what it curated…");
                runner.stop();
                sealedOrFailed.await();
            } catch (Exception e) {
                System.err.println("curate: could not drain the job: " + e.getMessage());
            }
        }, "curate-drain");
        if (!untilNow) Runtime.getRuntime().addShutdownHook(drain);
        try {
            VersionSealer.Sealed sealed = runner.run(CurationRunner.Mode.STREAMING, untilNow,
                    JobArgs.typedArgs(spec));
            if (sealed != null) BuildSummary.print(sealed, System.out);
            return 0;
        } finally {
            sealedOrFailed.countDown();
        }
    }
}
