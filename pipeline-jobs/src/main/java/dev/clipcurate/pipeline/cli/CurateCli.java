package dev.clipcurate.pipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code curate}: the entry point of every command. */
@Command(name = "curate", mixinStandardHelpOptions = true, versionProvider = CurateCli.Version.class,
        description = "Curates donated camera clips into versioned, privacy-safe training datasets.",
        subcommands = {DemoCommand.class, BuildCommand.class, RunCommand.class, DonateCommand.class, BrokerCommand.class, BenchCommand.class, EvalFacesCommand.class, EvalDedupCommand.class, BenchDedupIndexCommand.class, TrainScoringModelCommand.class, VersionsCommand.class, ExportCocoCommand.class, DiffCommand.class, GrantCommand.class, RevokeCommand.class, PurgeCommand.class, GcCommand.class, AuditCommand.class, EvalStagingCommand.class, BenchScoringCommand.class, EvalScoringCommand.class,
                CommandLine.HelpCommand.class})
public final class CurateCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. `curate demo`");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new CurateCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("curate: " + describe(e));
            if (System.getenv("CURATE_DEBUG") != null) e.printStackTrace(commandLine.getErr());
            else commandLine.getErr().println("(set CURATE_DEBUG=1 for the stack trace)");
            return 1;
        });
        return cli;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"curate " + dev.clipcurate.pipeline.job.CurationRunner.codeVersion()};
        }
    }
}
