package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.audit.HtmlReport;
import dev.clipcurate.pipeline.audit.VersionAudit;
import dev.clipcurate.pipeline.consent.ConsentLog;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Checks a version against its files and the consent topic; optionally writes a report for a person. */
@Command(name = "audit",
        description = {"Checks a dataset version against its files and against policy, prints each check with PASS or "
                + "FAIL and its counts, and exits 1 if any check fails. Integrity: every listed file present with its "
                + "sha256, tar members match the frame manifests, JPEG hashes match, the parent hash chain is intact, "
                + "the totals match the manifests. Policy (reads the consent topic): no revoked donor, every frame's "
                + "anonymisation verified, no duplicate clip, consent valid at build time."})
final class AuditCommand implements Callable<Integer> {
    @Mixin
    WarehouseArgs where = new WarehouseArgs();

    @Mixin
    ConsentTopicArgs consent = new ConsentTopicArgs();

    @Mixin
    PseudonymKeyArgs key = new PseudonymKeyArgs();

    // no standard --version option here: --version names the dataset version, as in the other steward commands
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--version", paramLabel = "N", description = "The version to audit: a number or a name (default: the latest).")
    String version;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write a self-contained HTML report: counts by campaign, decision and label, score "
                    + "histograms, the staged/real split, rejection reasons, a contact sheet of anonymised frames, the "
                    + "difference from the parent version.")
    Path html;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        DatasetVersions versions = new DatasetVersions(where.layout());
        JsonNode v = version == null ? versions.latest() : versions.version(version);

        ConsentLog log = null;
        String problem = null;
        try {
            log = consent.readLog(where, key.key(where, v), out, Duration.ofSeconds(30));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }

        VersionAudit.Outcome outcome = new VersionAudit(where.layout()).audit(v, log, problem);
        out.printf("Audit of %s %s (sealed %s, build %s)%n", where.dataset, v.get("name").asText(),
                v.get("created_at").asText(), v.get("build").get("id").asText());
        int failed = 0;
        for (HtmlReport.Check c : outcome.checks()) {
            out.printf("  %s  %-40s %s%n", c.passed() ? "PASS" : "FAIL", c.name(), c.detail());
            if (!c.passed()) failed++;
        }
        out.println(failed == 0 ? "All " + outcome.checks().size() + " checks passed."
                : failed + " of " + outcome.checks().size() + " checks failed.");
        if (html != null) {
            String page = HtmlReport.render(where.dataset, v, outcome.parent(), outcome.rows(), outcome.parentRows(),
                    outcome.checks(), outcome.samples());
            Path parent = html.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(html, page, StandardCharsets.UTF_8);
            out.println("Report: " + html.toAbsolutePath());
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
