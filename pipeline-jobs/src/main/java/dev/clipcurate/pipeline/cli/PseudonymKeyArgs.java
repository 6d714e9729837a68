package dev.clipcurate.pipeline.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pseudonym key for the commands that match consent events to a warehouse's rows (purge, audit): the key the
 * builds used, so that a donor id on the consent topic maps to the same pseudonym as in the manifests.
 */
public class PseudonymKeyArgs {
    @Option(names = "--pseudonym-key-file", paramLabel = "FILE",
            description = "File holding the builds' pseudonym key. Default: the " + JobArgs.KEY_ENV + " environment "
                    + "variable, else the demo's key in <warehouse>/" + DemoCommand.DEMO_KEY_FILE + ".")
    Path keyFile;

    /** The key, checked against the one the version was built with when the version recorded it. */
    byte[] key(WarehouseArgs where, com.fasterxml.jackson.databind.JsonNode version) throws IOException {
        byte[] key = key(where);
        String check = version == null ? null : version.path("config").path("pseudonym_key_check").asText(null);
        if (check != null && !check.equals(dev.clipcurate.pipeline.job.CurationOptions.keyCheck(key))) {
            throw new IllegalArgumentException("this pseudonym key is not the one " + version.get("name").asText()
                    + " was built with, so no donor would match its rows: pass the builds' key (" + JobArgs.KEY_ENV
                    + " or --pseudonym-key-file)");
        }
        return key;
    }

    private byte[] key(WarehouseArgs where) throws IOException {
        if (keyFile != null) return JobArgs.checkedKey(Files.readString(keyFile, StandardCharsets.UTF_8));
        String env = System.getenv(JobArgs.KEY_ENV);
        if (env != null && !env.isBlank()) return JobArgs.checkedKey(env);
        Path root = where.localRoot();
        if (root != null && Files.isRegularFile(root.resolve(DemoCommand.DEMO_KEY_FILE))) {
            return JobArgs.checkedKey(Files.readString(root.resolve(DemoCommand.DEMO_KEY_FILE), StandardCharsets.UTF_8));
        }
        throw new IllegalArgumentException("no pseudonym key: set " + JobArgs.KEY_ENV + " or --pseudonym-key-file to the "
                + "key the builds used (donor ids on the consent topic are matched to the manifests' pseudonyms with it)");
    }
}
