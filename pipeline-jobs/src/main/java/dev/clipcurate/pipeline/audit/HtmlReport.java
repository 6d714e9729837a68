package dev.clipcurate.pipeline.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.clipcurate.schemas.ClipRow;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Renders the audit of one dataset version as a single self-contained HTML page: inline CSS, inline SVG
 * charts and frames as data URIs, so the file can be archived next to the version and opened offline.
 *
 * <p>Clip ids, campaigns, reasons and details come from donors: every data string goes through {@link #esc}.
 * Donor pseudonyms are never shown. The output depends only on the inputs (sorted maps, Locale.ROOT).
 */
public final class HtmlReport {

    /** One audit check's outcome, shown at the top of the report. */
    public record Check(String name, boolean passed, String detail) {}

    /** A sample (already anonymised) frame for the contact sheet. */
    public record Sample(String key, String clipId, String campaign, String label, byte[] jpeg) {}

    private static final List<String> DECISIONS = List.of("accepted", "duplicate", "rejected", "quarantined");
    private static final String UNLABELLED = "(no label)";
    private static final Map<String, String> LABEL_COLOURS = Map.of(
            "staged", "#d97706", "real", "#2563eb", "uncertain", "#9ca3af", UNLABELLED, "#d1d5db");
    private static final String OTHER_LABEL_COLOUR = "#6b7280";

    private static final String CSS = """
            body{margin:0;background:#f3f4f6;color:#1f2328;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
            main{max-width:1100px;margin:0 auto;padding:24px 32px 48px}
            h1{margin:0 0 4px;font-size:26px}
            .meta{color:#59636e;font-size:14px;margin:0}
            nav{margin:10px 0 0;font-size:14px}nav a{color:#0550ae;margin-right:14px;text-decoration:none}
            .verdict{margin:16px 0 0;padding:14px 18px;border-radius:8px;color:#fff;font-weight:600;font-size:18px}
            .verdict.pass{background:#1a7f37}.verdict.fail{background:#cf222e}.verdict.none{background:#59636e}
            section{background:#fff;border:1px solid #d1d9e0;border-radius:8px;padding:4px 20px 20px;margin:20px 0}
            h2{font-size:19px;margin:12px 0;padding-bottom:6px;border-bottom:1px solid #eaeef2}
            h3{font-size:15px;margin:18px 0 8px;color:#404850}
            table{border-collapse:collapse;width:100%;font-size:14px}
            th,td{border:1px solid #d8dee4;padding:5px 10px;text-align:left;vertical-align:top}
            th{background:#f6f8fa;font-weight:600}
            .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            tr.total td{font-weight:600;background:#f6f8fa}
            table.kv{width:auto;min-width:480px}table.clips{table-layout:fixed}
            .badge{display:inline-block;padding:1px 10px;border-radius:999px;font-size:12px;font-weight:600}
            .badge.pass{background:#dafbe1;color:#116329}.badge.fail{background:#ffebe9;color:#a40e26}
            .charts{display:flex;flex-wrap:wrap;gap:24px}.charts figure{flex:1 1 440px;margin:0}
            figcaption{font-size:13px;color:#59636e;margin-top:4px}
            svg{width:100%;height:auto;display:block}svg text{font-size:11px;fill:#57606a}
            .sheet{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:14px}
            .sheet figure{margin:0;border:1px solid #d8dee4;border-radius:6px;overflow:hidden;background:#f6f8fa}
            .sheet img{display:block;width:100%;height:auto}.sheet figcaption{padding:6px 8px;overflow-wrap:anywhere}
            .muted{color:#59636e}code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
            .swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px}
            """;

    private HtmlReport() {}

    public static String render(String dataset, JsonNode version, JsonNode parent, List<ClipRow> rows,
                                List<ClipRow> parentRows, List<Check> checks, List<Sample> samples) {
        JsonNode v = version == null ? MissingNode.getInstance() : version;
        List<ClipRow> current = rows == null ? List.of() : rows;
        StringBuilder h = new StringBuilder(64 * 1024);
        String title = "Audit: " + Objects.toString(dataset, "dataset") + " " + text(v, "name", "");
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title.strip())).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n<main>\n");
        header(h, dataset, v);
        checks(h, checks == null ? List.of() : checks);
        counts(h, current, v);
        labels(h, current);
        scores(h, current);
        rejections(h, current);
        contactSheet(h, samples == null ? List.of() : samples);
        diff(h, v, parent, current, parentRows == null ? List.of() : parentRows);
        return h.append("</main>\n</body>\n</html>\n").toString();
    }

    private static void header(StringBuilder h, String dataset, JsonNode v) {
        h.append("<header>\n<h1>").append(esc(dataset)).append(" · ").append(esc(text(v, "name", "unnamed version")))
                .append("</h1>\n<p class=\"meta\">version ").append(esc(text(v, "version", "?")))
                .append(" · created ").append(esc(text(v, "created_at", "?")))
                .append(" · parent ").append(esc(text(v, "parent", "none")))
                .append(" · build <code>").append(esc(text(v.path("build"), "id", "?"))).append("</code> (")
                .append(esc(text(v.path("build"), "mode", "?"))).append(")</p>\n<nav>");
        for (String id : List.of("checks", "counts", "labels", "scores", "rejections", "contact-sheet", "diff")) {
            h.append("<a href=\"#").append(id).append("\">").append(id.replace('-', ' ')).append("</a>");
        }
        h.append("</nav>\n</header>\n");
    }

    private static void checks(StringBuilder h, List<Check> checks) {
        long failed = checks.stream().filter(c -> !c.passed()).count();
        String verdict = checks.isEmpty() ? "none" : failed == 0 ? "pass" : "fail";
        String message = checks.isEmpty() ? "No checks were run"
                : failed == 0 ? "All " + checks.size() + " checks passed"
                : failed + " of " + checks.size() + " checks failed";
        h.append("<div class=\"verdict ").append(verdict).append("\">").append(message).append("</div>\n");
        h.append("<section id=\"checks\">\n<h2>Checks</h2>\n<table>\n<tr><th>Check</th><th>Result</th><th>Detail</th></tr>\n");
        for (Check c : checks) {
            h.append("<tr><td>").append(esc(c.name())).append("</td><td>").append(badge(c.passed()))
                    .append("</td><td>").append(esc(c.detail())).append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void counts(StringBuilder h, List<ClipRow> rows, JsonNode v) {
        // Unexpected decisions get their own columns rather than vanishing from the table.
        List<String> decisions = new ArrayList<>(DECISIONS);
        rows.stream().map(ClipRow::getDecision).filter(d -> d != null && !DECISIONS.contains(d))
                .distinct().sorted().forEach(decisions::add);
        Map<String, long[]> byCampaign = new TreeMap<>(Comparator.nullsLast(Comparator.naturalOrder()));
        long[] total = new long[decisions.size() + 2];
        for (ClipRow r : rows) {
            long[] cells = byCampaign.computeIfAbsent(r.getCampaign(), k -> new long[decisions.size() + 2]);
            for (long[] target : List.of(cells, total)) {
                int column = decisions.indexOf(r.getDecision());
                if (column >= 0) target[column]++;
                target[decisions.size()]++;
                target[decisions.size() + 1] += r.getFramesWritten();
            }
        }
        h.append("<section id=\"counts\">\n<h2>Counts</h2>\n<h3>Manifest rows by campaign and decision</h3>\n<table>\n<tr><th>Campaign</th>");
        decisions.forEach(d -> h.append("<th class=\"num\">").append(esc(d)).append("</th>"));
        h.append("<th class=\"num\">rows</th><th class=\"num\">frames</th></tr>\n");
        byCampaign.forEach((campaign, cells) -> countRow(h, "<tr>", campaign == null ? "(no campaign)" : campaign, cells));
        countRow(h, "<tr class=\"total\">", "total", total);
        h.append("</table>\n<h3>Version document</h3>\n<table class=\"kv\">\n<tr><th>Field</th><th class=\"num\">Value</th></tr>\n");
        // a build's counts, and for a purge what it removed
        for (String block : List.of("counts", "purge")) {
            JsonNode fields = v.path(block);
            fields.fieldNames().forEachRemaining(name -> {
                JsonNode value = fields.get(name);
                String shown = value.isObject() ? inline(value) : value.asText();
                h.append("<tr><td><code>").append(block).append('.').append(esc(name)).append("</code></td><td class=\"num\">")
                        .append(esc(shown)).append("</td></tr>\n");
            });
        }
        for (String name : List.of("clips_accepted", "frames")) {
            h.append("<tr class=\"total\"><td><code>totals.").append(name).append("</code></td><td class=\"num\">")
                    .append(esc(text(v.path("totals"), name, "—"))).append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void countRow(StringBuilder h, String tr, String name, long[] cells) {
        h.append(tr).append("<td>").append(esc(name)).append("</td>");
        for (long n : cells) h.append("<td class=\"num\">").append(n).append("</td>");
        h.append("</tr>\n");
    }

    private static void labels(StringBuilder h, List<ClipRow> rows) {
        // Known labels first in a fixed order, then any unexpected ones sorted, then clips without a label.
        Map<String, Long> byLabel = new LinkedHashMap<>();
        List.of("staged", "real", "uncertain").forEach(l -> byLabel.put(l, 0L));
        Map<String, Long> unexpected = new TreeMap<>();
        long accepted = 0, unlabelled = 0;
        for (ClipRow r : rows) {
            if (!"accepted".equals(r.getDecision())) continue;
            accepted++;
            if (r.getStagedLabel() == null) unlabelled++;
            else (byLabel.containsKey(r.getStagedLabel()) ? byLabel : unexpected).merge(r.getStagedLabel(), 1L, Long::sum);
        }
        byLabel.putAll(unexpected);
        if (unlabelled > 0) byLabel.put(UNLABELLED, unlabelled);
        h.append("<section id=\"labels\">\n<h2>Staged / real split of accepted clips</h2>\n");
        StringBuilder bar = new StringBuilder("<svg viewBox=\"0 0 1000 34\" role=\"img\" aria-label=\"label split\">");
        double x = 0;
        h.append("<table>\n<tr><th>Label</th><th class=\"num\">Accepted clips</th><th class=\"num\">Share</th></tr>\n");
        for (Map.Entry<String, Long> e : byLabel.entrySet()) {
            String colour = LABEL_COLOURS.getOrDefault(e.getKey(), OTHER_LABEL_COLOUR);
            double share = accepted == 0 ? 0 : (double) e.getValue() / accepted;
            h.append("<tr><td><span class=\"swatch\" style=\"background:").append(colour).append("\"></span>")
                    .append(esc(e.getKey())).append("</td><td class=\"num\">").append(e.getValue())
                    .append("</td><td class=\"num\">").append(fmt("%.1f%%", share * 100)).append("</td></tr>\n");
            if (share == 0) continue;
            bar.append(fmt("<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"34\" fill=\"%s\"><title>", x, share * 1000, colour))
                    .append(esc(e.getKey())).append("</title></rect>");
            if (share >= 0.08) {
                bar.append(fmt("<text x=\"%.1f\" y=\"22\" text-anchor=\"middle\" style=\"fill:#fff;font-size:14px;font-weight:600\">", x + share * 500))
                        .append(esc(e.getKey())).append(fmt(" %.0f%%</text>", share * 100));
            }
            x += share * 1000;
        }
        h.append(fmt("<tr class=\"total\"><td>accepted</td><td class=\"num\">%d</td><td class=\"num\">100.0%%</td></tr>\n</table>\n", accepted));
        if (accepted == 0) bar.append("<rect width=\"1000\" height=\"34\" fill=\"#eaeef2\"/>");
        h.append("<h3>Split</h3>\n").append(bar).append("</svg>\n</section>\n");
    }

    private record Series(String name, String colour, int[] counts) {}

    private static void scores(StringBuilder h, List<ClipRow> rows) {
        Predicate<ClipRow> accepted = r -> "accepted".equals(r.getDecision());
        Predicate<ClipRow> lowScore = r -> "rejected".equals(r.getDecision()) && "low_score".equals(r.getReason());
        Series acceptedScores = series("accepted", "#2563eb", rows, accepted, ClipRow::getClipScore, 0, 1);
        Series lowScores = series("rejected low_score", "#f59e0b", rows, lowScore, ClipRow::getClipScore, 0, 1);
        Series confidence = series("accepted", "#7c3aed", rows, accepted, ClipRow::getStagedConfidence, 0.5, 1);
        h.append("<section id=\"scores\">\n<h2>Scores</h2>\n<div class=\"charts\">\n<figure>")
                .append(histogram(0, 1, "clip_score", List.of(acceptedScores, lowScores)))
                .append("<figcaption>clip_score of accepted clips and of clips rejected as low_score (10 bins over 0..1)</figcaption></figure>\n<figure>")
                .append(histogram(0.5, 1, "staged_confidence", List.of(confidence)))
                .append("<figcaption>staged_confidence of accepted clips (10 bins over 0.5..1)</figcaption></figure>\n</div>\n</section>\n");
    }

    private static Series series(String name, String colour, List<ClipRow> rows, Predicate<ClipRow> which,
                                 java.util.function.Function<ClipRow, Float> value, double lo, double hi) {
        int[] counts = new int[10];
        for (ClipRow r : rows) {
            Float f = which.test(r) ? value.apply(r) : null;
            if (f == null || f.isNaN()) continue;
            // Values outside the range land in the edge bins so nothing silently disappears.
            int bin = (int) Math.floor((f - lo) / (hi - lo) * counts.length);
            counts[Math.max(0, Math.min(counts.length - 1, bin))]++;
        }
        return new Series(name, colour, counts);
    }

    /** Grouped-bar histogram, one bar per series in each bin, with count labels and a legend. */
    private static String histogram(double lo, double hi, String axis, List<Series> series) {
        final int width = 520, height = 250, left = 40, right = 20, top = 34, bottom = 44, bins = 10;
        double plotW = width - left - right, plotH = height - top - bottom, binW = plotW / bins;
        double barW = (binW - 6) / series.size();
        int max = 1;
        for (Series s : series) for (int c : s.counts()) max = Math.max(max, c);
        StringBuilder s = new StringBuilder(fmt("<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s histogram\">", width, height, axis));
        for (int tick : new TreeSet<>(List.of(0, max / 2, max))) {
            double y = top + plotH - tick * plotH / max;
            s.append(fmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eaeef2\"/>", left, width - right, y, y))
                    .append(fmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>", left - 6, y + 4, tick));
        }
        for (int b = 0; b < bins; b++) {
            for (int i = 0; i < series.size(); i++) {
                int count = series.get(i).counts()[b];
                double barH = count * plotH / max, x = left + b * binW + 3 + i * barW;
                if (count == 0) continue;
                s.append(fmt("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                                x, top + plotH - barH, barW - 1, barH, series.get(i).colour()))
                        .append(fmt("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>", x + barW / 2, top + plotH - barH - 3, count));
            }
        }
        String tickFormat = (hi - lo) / bins >= 0.1 - 1e-9 ? "%.1f" : "%.2f";
        for (int b = 0; b <= bins; b++) {
            s.append(fmt("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">" + tickFormat + "</text>",
                    left + b * binW, top + plotH + 15, lo + b * (hi - lo) / bins));
        }
        s.append(fmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#8c959f\"/>", left, width - right, top + plotH, top + plotH))
                .append(fmt("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", left + plotW / 2, height - 6, axis))
                .append(fmt("<text x=\"12\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 12 %.1f)\">clips</text>",
                        top + plotH / 2, top + plotH / 2));
        double legendX = left;
        for (Series one : series) {
            int n = 0;
            for (int c : one.counts()) n += c;
            String name = one.name() + " (n=" + n + ")";
            s.append(fmt("<rect x=\"%.1f\" y=\"8\" width=\"12\" height=\"12\" rx=\"2\" fill=\"%s\"/>", legendX, one.colour()))
                    .append(fmt("<text x=\"%.1f\" y=\"18\" style=\"font-size:12px;fill:#1f2328\">%s</text>", legendX + 17, esc(name)));
            legendX += 30 + name.length() * 6.5;
        }
        return s.append("</svg>").toString();
    }

    private static void rejections(StringBuilder h, List<ClipRow> rows) {
        record Reason(TreeSet<String> decisions, long[] count, String[] example) {}
        Map<String, Reason> byReason = new TreeMap<>(Comparator.nullsLast(Comparator.naturalOrder()));
        for (ClipRow r : rows) {
            if ("accepted".equals(r.getDecision())) continue;
            Reason reason = byReason.computeIfAbsent(r.getReason(), k -> new Reason(new TreeSet<>(), new long[1], new String[1]));
            reason.decisions().add(Objects.toString(r.getDecision(), "?"));
            reason.count()[0]++;
            if (reason.example()[0] == null) reason.example()[0] = r.getReasonDetail();
        }
        h.append("<section id=\"rejections\">\n<h2>Rejections</h2>\n");
        if (byReason.isEmpty()) {
            h.append("<p class=\"muted\">No clip was rejected, marked duplicate or quarantined.</p>\n</section>\n");
            return;
        }
        h.append("<table>\n<tr><th>Reason</th><th>Decision</th><th class=\"num\">Clips</th><th>Example detail</th></tr>\n");
        // Most frequent first; the TreeMap order breaks ties so the output stays stable.
        byReason.entrySet().stream().sorted(Comparator.comparingLong(e -> -e.getValue().count()[0])).forEach(e ->
                h.append("<tr><td><code>").append(esc(Objects.toString(e.getKey(), "(no reason)"))).append("</code></td><td>")
                        .append(esc(String.join(", ", e.getValue().decisions()))).append("</td><td class=\"num\">")
                        .append(e.getValue().count()[0]).append("</td><td>").append(esc(e.getValue().example()[0]))
                        .append("</td></tr>\n"));
        h.append("</table>\n</section>\n");
    }

    private static void contactSheet(StringBuilder h, List<Sample> samples) {
        h.append("<section id=\"contact-sheet\">\n<h2>Contact sheet</h2>\n");
        if (samples.isEmpty()) {
            h.append("<p class=\"muted\">No frames in this version.</p>\n</section>\n");
            return;
        }
        h.append("<div class=\"sheet\">\n");
        for (Sample s : samples) {
            String caption = Objects.toString(s.clipId(), "?") + " · " + Objects.toString(s.campaign(), "(no campaign)")
                    + " · " + Objects.toString(s.label(), UNLABELLED);
            h.append("<figure title=\"").append(esc(s.key())).append("\"><img alt=\"").append(esc(caption))
                    .append("\" src=\"data:image/jpeg;base64,")
                    .append(Base64.getEncoder().encodeToString(s.jpeg() == null ? new byte[0] : s.jpeg()))
                    .append("\"><figcaption>").append(esc(caption)).append("</figcaption></figure>\n");
        }
        h.append("</div>\n</section>\n");
    }

    private static void diff(StringBuilder h, JsonNode v, JsonNode parent, List<ClipRow> rows, List<ClipRow> parentRows) {
        Map<String, ClipRow> now = acceptedById(rows);
        Map<String, ClipRow> before = acceptedById(parentRows);
        Map<String, ClipRow> added = new TreeMap<>(now);
        added.keySet().removeAll(before.keySet());
        Map<String, ClipRow> removed = new TreeMap<>(before);
        removed.keySet().removeAll(now.keySet());
        h.append("<section id=\"diff\">\n<h2>Changes against the parent</h2>\n<p>");
        if (parent != null) {
            h.append("Compared with parent <b>").append(esc(text(parent, "name", "?"))).append("</b>.");
        } else if (v.path("parent").isTextual()) {
            // The document names a parent the caller did not supply: say so rather than claim a first version.
            h.append("The parent ").append(esc(v.path("parent").asText()))
                    .append(" was not supplied; all accepted clips are listed as added.");
        } else {
            h.append("This is the first version of the dataset: all accepted clips are listed as added.");
        }
        h.append("</p>\n");
        diffTable(h, "Added", added);
        if (parent != null) diffTable(h, "Removed", removed);
        h.append("</section>\n");
    }

    private static void diffTable(StringBuilder h, String title, Map<String, ClipRow> clips) {
        h.append("<h3>").append(title).append(" (").append(clips.size()).append(")</h3>\n");
        if (clips.isEmpty()) {
            h.append("<p class=\"muted\">None.</p>\n");
            return;
        }
        h.append("<table class=\"clips\">\n<tr><th style=\"width:40%\">Clip id</th><th style=\"width:30%\">Campaign</th>")
                .append("<th class=\"num\" style=\"width:12%\">Score</th><th>Label</th></tr>\n");
        clips.forEach((id, r) -> h.append("<tr><td><code>").append(esc(id)).append("</code></td><td>")
                .append(esc(r.getCampaign())).append("</td><td class=\"num\">")
                .append(r.getClipScore() == null ? "—" : fmt("%.3f", r.getClipScore())).append("</td><td>")
                .append(esc(r.getStagedLabel())).append("</td></tr>\n"));
        h.append("</table>\n");
    }

    private static Map<String, ClipRow> acceptedById(List<ClipRow> rows) {
        Map<String, ClipRow> byId = new TreeMap<>();
        for (ClipRow r : rows) {
            if ("accepted".equals(r.getDecision()) && r.getClipId() != null) byId.putIfAbsent(r.getClipId(), r);
        }
        return byId;
    }

    private static String badge(boolean passed) {
        return passed ? "<span class=\"badge pass\">pass</span>" : "<span class=\"badge fail\">fail</span>";
    }

    /** A field as text, or the fallback when it is missing or JSON null. */
    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? fallback : value.asText();
    }

    /** A small object such as rejected_by_reason as "a: 1, b: 2", in the document's own order. */
    private static String inline(JsonNode object) {
        List<String> parts = new ArrayList<>();
        object.fields().forEachRemaining(e -> parts.add(e.getKey() + ": " + e.getValue().asText()));
        return parts.isEmpty() ? "—" : String.join(", ", parts);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** Escapes text for HTML element content and quoted attribute values; null becomes empty. */
    static String esc(String s) {
        if (s == null) return "";
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
