package dev.clipcurate.pipeline.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class CurateCliTest {
    public record Result(int exit, String out, String err) {}

    /** Runs the CLI in this JVM, capturing what the command prints through picocli. */
    public static Result run(String... args) {
        CommandLine cli = CurateCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void everyCommandHasHelp() {
        java.util.Set<String> commands = new java.util.TreeSet<>(new picocli.CommandLine(new CurateCli()).getSubcommands().keySet());
        commands.remove("help");
        assertTrue(commands.containsAll(List.of("demo", "build", "run", "bench-scoring", "eval-staging", "train-scoring-model")));
        for (String command : commands) {
            Result r = run(command, "--help");
            assertEquals(0, r.exit(), command);
            assertTrue(r.out().startsWith("Usage: curate " + command), r.out());
        }
        Result top = run("--help");
        assertEquals(0, top.exit());
        for (String command : commands) {
            assertTrue(top.out().contains(command), command);
        }
    }

    @Test
    void withoutACommandItSaysWhatToDo() {
        Result r = run();
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("name a command"), r.err());
    }

    @Test
    void buildRefusesToStartWithoutAPseudonymKey() {
        // runs only where the environment has no key: the check must come before any Kafka access
        if (System.getenv(JobArgs.KEY_ENV) != null) return;
        Result r = run("build", "--bootstrap-servers", "localhost:1");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("CURATE_PSEUDONYM_KEY"), r.err());
    }

    @Test
    void aShortPseudonymKeyIsRefusedWithAHint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path key = java.nio.file.Files.writeString(tmp.resolve("key"), "short");
        Result r = run("build", "--bootstrap-servers", "localhost:1", "--pseudonym-key-file", key.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("shorter than 16 bytes") && r.err().contains("openssl rand"), r.err());
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        assertEquals(2, run("build", "--sample-fps", "fast").exit());
        Result r = run("build", "--max-resolution", "big", "--pseudonym-key-file", "/nonexistent");
        assertEquals(1, r.exit());
    }

    @Test
    void aBadScoringModelOrCampaignFileIsOneLineBeforeAnyKafkaAccess(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        Result missing = run("build", "--bootstrap-servers", "localhost:1", "--score-model", tmp.resolve("nope.onnx").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("does not exist (option --score-model)"), missing.err());

        java.nio.file.Path notOnnx = java.nio.file.Files.writeString(tmp.resolve("text.onnx"), "not a model");
        Result garbage = run("build", "--bootstrap-servers", "localhost:1", "--score-model", notOnnx.toString());
        assertEquals(1, garbage.exit());
        assertTrue(garbage.err().contains("cannot be loaded by ONNX Runtime"), garbage.err());

        java.nio.file.Path rules = java.nio.file.Files.writeString(tmp.resolve("c.json"),
                "{\"defaults\": {\"staging\": {\"staged_at\": 0.2}}}");
        Result badRules = run("build", "--bootstrap-servers", "localhost:1", "--campaigns", rules.toString());
        assertEquals(1, badRules.exit());
        assertTrue(badRules.err().contains("real_at < staged_at"), badRules.err());
    }
}
