package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.consent.ConsentLog;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import dev.clipcurate.pipeline.consent.ConsentUpdate;
import dev.clipcurate.pipeline.erasure.DonorPurge;
import dev.clipcurate.pipeline.intake.LandingArea;
import dev.clipcurate.schemas.ClipRow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** Erases the donors who revoked consent from the latest version of a dataset. */
@Command(name = "purge", mixinStandardHelpOptions = true,
        description = {"Reads the consent topic, and seals a new version of the dataset without any frame or clip row "
                + "of the donors whose consent is revoked now. Copy-on-write: only the shards and manifests holding "
                + "their rows are rewritten; older versions stay as they were until scripts/curate gc deletes the files "
                + "no retained version lists. Writes one erasure receipt per donor under <dataset>/receipts/ (JSON and "
                + "text). Prints nothing of the donors but their pseudonyms."})
final class PurgeCommand implements Callable<Integer> {
    @Mixin
    WarehouseArgs where = new WarehouseArgs();

    @Mixin
    ConsentTopicArgs consent = new ConsentTopicArgs();

    @Mixin
    PseudonymKeyArgs key = new PseudonymKeyArgs();

    @Option(names = "--scope",
            description = "The consent whose revocation is erased. Default: the consent scope the latest version was built with.")
    String scope;

    @Option(names = "--landing", paramLabel = "DIR",
            description = "Also delete the purged clips' source files under this landing root (the uploads). Default: "
                    + "leave the landing area to the upload service.")
    String landing;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        JsonNode latest = new DatasetVersions(where.layout()).latest();
        String consentScope = scope != null ? scope : latest.path("config").path("consent_scope").asText("training");
        ConsentLog log = consent.readLog(where, key.key(where, latest), out, Duration.ofSeconds(60));
        long now = System.currentTimeMillis();
        Set<String> revoked = log.revokedAt(consentScope, now);
        out.printf("%s: %d donor(s) with consent events, %d revoked for %s%s%n", consent.topic, log.donors(),
                revoked.size(), consentScope, log.invalidEvents() == 0 ? ""
                        : "; " + log.invalidEvents() + " malformed event(s) ignored (the job ignores them too)");
        if (revoked.isEmpty()) {
            out.println("Nothing to purge.");
            out.flush();
            return 0;
        }
        Map<String, ConsentUpdate> revocations = new HashMap<>();
        for (String donor : revoked) revocations.put(donor, log.history(donor).lastAt(consentScope, now));

        DonorPurge.Result result = new DonorPurge(where.layout()).purge(revocations, JobArgs.typedArgs(spec));
        if (result == null) {
            out.printf("The latest version of %s holds nothing of them: no version sealed.%n", where.dataset);
            out.flush();
            return 0;
        }
        var purge = result.sealed().document().get("purge");
        out.printf("Sealed %s (purge %s): removed %d clip row(s) (%d accepted clip(s)) and %d frame(s) of %d donor(s); "
                        + "%d file(s) rewritten, %d dropped; versions that held them: %s%n",
                result.sealed().document().get("name").asText(), result.purgeId(), purge.get("clip_rows_removed").asLong(),
                purge.get("accepted_clips_removed").asLong(), purge.get("frames_removed").asLong(), purge.get("donors").asLong(),
                purge.get("files_rewritten").asLong(), purge.get("files_dropped").asLong(),
                String.join(", ", result.versionsAffected()));
        for (var receipt : result.receipts()) out.println("Erasure receipt: " + receipt.toUri().getPath() + " (and .txt)");
        if (landing != null) deleteSources(result, out);
        out.printf("Older versions still list the original files: scripts/curate gc --retain 1 deletes them and completes "
                + "the receipts.%n");
        out.flush();
        return 0;
    }

    private void deleteSources(DonorPurge.Result result, PrintWriter out) throws Exception {
        LandingArea area = new LandingArea(landing);
        int deleted = 0;
        for (DonorPurge.DonorErasure d : result.donors().values()) {
            for (ClipRow row : d.clipRows) {
                if (row.getSourceUri() == null) continue;
                try {
                    org.apache.flink.core.fs.Path source = area.resolve(row.getSourceUri());
                    if (source.getFileSystem().exists(source) && source.getFileSystem().delete(source, false)) deleted++;
                } catch (dev.clipcurate.pipeline.intake.ClipRejected e) {
                    out.printf("not deleted (%s): a source outside %s%n", e.getMessage(), landing);
                }
            }
        }
        out.printf("Deleted %d source file(s) under %s%n", deleted, landing);
    }
}
