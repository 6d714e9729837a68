package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.erasure.ShardCollector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Deletes the files that only old versions list. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Deletes the shard and manifest files that none of the newest --retain versions lists: after a "
                + "purge, this is what erases a donor's frames from the files of older versions. Version files stay "
                + "(they hold no frames and keep the hash chain); the versions that lost files are recorded in "
                + "<dataset>/gc/. Erasure receipts whose files are now all gone are marked complete."})
final class GcCommand implements Callable<Integer> {
    @Mixin
    WarehouseArgs where = new WarehouseArgs();

    @Option(names = "--retain", required = true, paramLabel = "N",
            description = "How many of the newest versions keep every file they list (1 or more).")
    int retain;

    @Option(names = "--dry-run", description = "List what would be deleted, delete nothing.")
    boolean dryRun;

    @Option(names = "--delete-orphans",
            description = "Also delete build directories that no version lists: the output of builds that died before "
                    + "sealing (committed frames included). A run in progress (its record in <dataset>/runs/ is fresh) "
                    + "and a streaming run that died with a checkpoint (the next run resumes it) keep theirs.")
    boolean deleteOrphans;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ShardCollector.Result r = new ShardCollector(where.layout()).collect(retain, dryRun, deleteOrphans);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Retained: %s%n", String.join(", ", r.retained()));
        for (String f : r.deleted()) out.printf("  %s %s%n", dryRun ? "would delete" : "deleted", f);
        out.printf("%s %d file(s), %.1f MB; versions whose files are %s: %s%n", dryRun ? "Would delete" : "Deleted",
                r.deleted().size(), r.bytesFreed() / 1e6, dryRun ? "to be collected" : "now collected",
                r.versionsCollected().isEmpty() ? "none" : String.join(", ", r.versionsCollected()));
        for (var receipt : r.receiptsCompleted()) out.println("Erasure complete: " + receipt.toUri().getPath());
        if (!r.orphans().isEmpty()) {
            out.printf("Not deleted: %d build director%s no version lists (%s): a build in progress, or one that died; "
                            + "--delete-orphans deletes them when nothing runs%n", r.orphans().size(),
                    r.orphans().size() == 1 ? "y" : "ies", String.join(", ", r.orphans()));
        }
        if (r.record() != null) out.println("Record: " + r.record().toUri().getPath());
        out.flush();
        return 0;
    }
}
