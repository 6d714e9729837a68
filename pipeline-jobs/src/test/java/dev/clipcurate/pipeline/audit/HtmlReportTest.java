package dev.clipcurate.pipeline.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.testing.HeadlessChromium;
import dev.clipcurate.schemas.ClipRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtmlReportTest {
    private static final String EVIL_ID = "<script>alert(1)</script>";
    private static final String PSEUDONYM = "d_do_not_show_42";
    /** Sample colours no part of the report's own styling uses, so finding them proves the frames rendered. */
    private static final Color[] SAMPLE_COLOURS = {new Color(0, 200, 0), new Color(200, 0, 200), new Color(0, 160, 200)};
    private static final Color FAIL_BANNER = new Color(0xcf, 0x22, 0x2e);

    private long offset;

    @Test
    void rendersCountsDiffAndEscapesDonorText() throws IOException {
        List<HtmlReport.Sample> samples = samples();
        String html = report(samples);

        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("1 of 2 checks failed"), "verdict");
        assertTrue(html.contains("<span class=\"badge fail\">fail</span>") && html.contains("<span class=\"badge pass\">pass</span>"));
        for (String id : List.of("checks", "counts", "labels", "scores", "rejections", "contact-sheet", "diff")) {
            assertTrue(html.contains("<section id=\"" + id + "\">\n<h2>"), "section " + id);
        }

        // Columns: accepted, duplicate, rejected, quarantined, rows, frames.
        assertEquals(List.of(2L, 1L, 1L, 1L, 5L, 21L), countRow(html, "car-door"));
        assertEquals(List.of(4L, 1L, 2L, 0L, 7L, 39L), countRow(html, "package-theft"));
        assertEquals(List.of(6L, 2L, 3L, 1L, 12L, 60L), countRow(html, "total"));
        assertTrue(html.contains("<code>totals.frames</code></td><td class=\"num\">160</td>"));

        String labels = section(html, "labels");
        assertTrue(labels.contains("staged</td><td class=\"num\">2</td><td class=\"num\">33.3%</td>"), labels);
        assertTrue(labels.contains("real</td><td class=\"num\">3</td><td class=\"num\">50.0%</td>"), labels);

        String rejections = section(html, "rejections");
        assertTrue(rejections.contains("<code>low_score</code></td><td>rejected</td><td class=\"num\">2</td>"), rejections);
        assertTrue(rejections.contains("<code>exact_copy</code></td><td>duplicate</td><td class=\"num\">2</td>"), rejections);
        assertTrue(rejections.contains("ffprobe: &quot;moov atom not found&quot; &lt;b&gt;"), rejections);

        String diff = section(html, "diff");
        String added = diff.substring(diff.indexOf("<h3>Added (2)</h3>"), diff.indexOf("<h3>Removed (1)</h3>"));
        String removed = diff.substring(diff.indexOf("<h3>Removed (1)</h3>"));
        assertTrue(added.contains("<code>cd-002</code>") && added.contains("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"), added);
        assertFalse(added.contains("pt-001"), added);
        assertTrue(removed.contains("<code>cd-009</code>"), removed);

        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertFalse(html.contains(EVIL_ID));
        assertFalse(html.toLowerCase().contains("<script"));
        assertFalse(html.contains("http://") || html.contains("https://"), "no external URL");
        assertFalse(html.contains(PSEUDONYM), "donor pseudonyms are never shown");
        assertTrue(html.contains("2 frames carry an &lt;EXIF&gt; &quot;Artist&quot; tag"), "check details are escaped");
        for (HtmlReport.Sample s : samples) {
            assertTrue(html.contains("src=\"data:image/jpeg;base64," + Base64.getEncoder().encodeToString(s.jpeg()) + "\""), s.key());
        }
        assertEquals(html, report(samples), "same inputs, same bytes");
    }

    @Test
    void firstVersionWithoutSamplesListsAllAcceptedAsAdded() {
        ObjectNode version = AvroJson.MAPPER.createObjectNode().put("name", "v000001").putNull("parent");
        String html = HtmlReport.render("porch", version, null, currentRows(), List.of(),
                List.of(new HtmlReport.Check("rows", true, null)), List.of());
        assertTrue(html.contains("All 1 checks passed"));
        assertTrue(html.contains("No frames in this version."));
        String diff = section(html, "diff");
        assertTrue(diff.contains("first version") && diff.contains("<h3>Added (6)</h3>") && !diff.contains("Removed"), diff);
    }

    @Test
    void toleratesAnEmptyDocumentAndNoRows() {
        String html = HtmlReport.render("porch", AvroJson.MAPPER.createObjectNode(), null, List.of(), List.of(), List.of(), List.of());
        assertTrue(html.contains("No checks were run") && html.endsWith("</html>\n"));
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L), countRow(html, "total"));
    }

    @Test
    void screenshotShowsVerdictAndContactSheet(@TempDir Path dir) throws IOException {
        Path html = dir.resolve("report.html");
        Files.writeString(html, report(samples()), StandardCharsets.UTF_8);
        // Tall enough that the whole report, contact sheet included, is on screen.
        Path png = HeadlessChromium.screenshot(html, dir.resolve("report.png"), 1280, 3000);

        Path target = Path.of(System.getProperty("basedir", "."), "target");
        Files.createDirectories(target);
        Files.copy(png, target.resolve("audit-report-screenshot.png"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(html, target.resolve("audit-report.html"), StandardCopyOption.REPLACE_EXISTING);

        BufferedImage shot = ImageIO.read(png.toFile());
        assertEquals(1280, shot.getWidth());
        Set<Integer> distinct = new HashSet<>();
        int[] pixels = shot.getRGB(0, 0, shot.getWidth(), shot.getHeight(), null, 0, shot.getWidth());
        for (int p : pixels) distinct.add(p & 0xffffff);
        assertTrue(distinct.size() > 200, "page looks blank: " + distinct.size() + " colours");
        for (Color c : SAMPLE_COLOURS) {
            long n = Arrays.stream(pixels).filter(p -> near(p, c, 12)).count();
            assertTrue(n > 2000, "sample frame of colour " + c + " not rendered: " + n + " pixels");
        }
        long banner = Arrays.stream(pixels).filter(p -> near(p, FAIL_BANNER, 6)).count();
        assertTrue(banner > 20_000, "red verdict banner missing: " + banner + " pixels");
    }

    private String report(List<HtmlReport.Sample> samples) {
        ObjectNode version = AvroJson.MAPPER.createObjectNode()
                .put("format", "clip-curation/dataset-version@1").put("dataset", "porch")
                .put("version", 2).put("name", "v000002").put("created_at", "2025-03-02T10:00:00Z").put("parent", "v000001");
        version.putObject("build").put("id", "b-0002").put("mode", "incremental");
        ObjectNode counts = version.putObject("counts");
        counts.put("clips_accepted", 6).put("clips_rejected", 3).put("clips_duplicate", 2).put("clips_quarantined", 1)
                .put("frames_written", 60);
        counts.putObject("rejected_by_reason").put("low_score", 2).put("not_a_video", 1);
        counts.putObject("accepted_by_label").put("staged", 2).put("real", 3).put("uncertain", 1);
        version.putObject("totals").put("clips_accepted", 11).put("frames", 160);
        ObjectNode parent = AvroJson.MAPPER.createObjectNode().put("version", 1).put("name", "v000001").putNull("parent");

        List<HtmlReport.Check> checks = List.of(
                new HtmlReport.Check("manifest rows match the version's counts", true, "12 rows, 12 counted"),
                new HtmlReport.Check("frames carry no metadata", false, "2 frames carry an <EXIF> \"Artist\" tag"));
        return HtmlReport.render("porch", version, parent, currentRows(), parentRows(), checks, samples);
    }

    private List<ClipRow> currentRows() {
        return List.of(
                row("pt-001", "package-theft", "accepted", null, null, 0.82f, "real", 0.91f, 12),
                row("pt-002", "package-theft", "accepted", null, null, 0.67f, "staged", 0.77f, 10),
                row("pt-003", "package-theft", "accepted", null, null, 0.55f, "uncertain", 0.55f, 8),
                row(EVIL_ID, "package-theft", "accepted", null, null, 0.71f, "real", 0.88f, 9),
                row("pt-004", "package-theft", "rejected", "low_score", "score 0.120 below 0.300", 0.12f, null, null, 0),
                row("pt-005", "package-theft", "rejected", "not_a_video", "ffprobe: \"moov atom not found\" <b>", null, null, null, 0),
                row("pt-006", "package-theft", "duplicate", "exact_copy", "same sha256 as pt-001", null, null, null, 0),
                row("cd-001", "car-door", "accepted", null, null, 0.91f, "real", 0.95f, 14),
                row("cd-002", "car-door", "accepted", null, null, 0.44f, "staged", 0.62f, 7),
                row("cd-003", "car-door", "rejected", "low_score", "score 0.210 below 0.300", 0.21f, null, null, 0),
                row("cd-004", "car-door", "duplicate", "exact_copy", "same sha256 as cd-001", null, null, null, 0),
                row("cd-005", "car-door", "quarantined", "face_blur_failed", "blur could not be verified", null, null, null, 0));
    }

    private List<ClipRow> parentRows() {
        return List.of(
                row("pt-001", "package-theft", "accepted", null, null, 0.82f, "real", 0.91f, 12),
                row("pt-002", "package-theft", "accepted", null, null, 0.67f, "staged", 0.77f, 10),
                row("pt-003", "package-theft", "accepted", null, null, 0.55f, "uncertain", 0.55f, 8),
                row("cd-001", "car-door", "accepted", null, null, 0.91f, "real", 0.95f, 14),
                row("cd-009", "car-door", "accepted", null, null, 0.63f, "real", 0.81f, 11),
                row("pt-004", "package-theft", "rejected", "low_score", "score 0.120 below 0.300", 0.12f, null, null, 0));
    }

    private ClipRow row(String clipId, String campaign, String decision, String reason, String detail, Float score,
                        String label, Float confidence, int frames) {
        return ClipRow.newBuilder().setClipId(clipId).setDecision(decision).setReason(reason).setReasonDetail(detail)
                .setSourceTopic("clips.donated").setSourcePartition(0).setSourceOffset(offset++)
                .setCampaign(campaign).setDonorPseudonym(PSEUDONYM).setClipScore(score).setStagedLabel(label)
                .setStagedConfidence(confidence).setFramesWritten(frames).setDurationS(12.5)
                .setBuildId("b-0002").setProcessedAt("2025-03-02T09:59:00Z").build();
    }

    private static List<HtmlReport.Sample> samples() throws IOException {
        String[][] meta = {{"pt-001", "package-theft", "real"}, {"cd-002", "car-door", "staged"}, {EVIL_ID, "package-theft", "real"}};
        List<HtmlReport.Sample> samples = new ArrayList<>();
        for (int i = 0; i < SAMPLE_COLOURS.length; i++) {
            samples.add(new HtmlReport.Sample("frames/" + meta[i][0] + "/000010.jpg", meta[i][0], meta[i][1], meta[i][2],
                    jpeg(SAMPLE_COLOURS[i], i)));
        }
        return samples;
    }

    /** A 320×200 frame of one solid colour with a white shape, so each frame is recognisable in a screenshot. */
    private static byte[] jpeg(Color colour, int shape) throws IOException {
        BufferedImage image = new BufferedImage(320, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, 320, 200);
        g.setColor(Color.WHITE);
        switch (shape) {
            case 0 -> g.fillOval(230, 20, 60, 60);
            case 1 -> g.fillRect(230, 20, 60, 60);
            default -> g.fillPolygon(new int[] {260, 230, 290}, new int[] {20, 80, 80}, 3);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    /** The numbers in the counts table's row for {@code name}. */
    private static List<Long> countRow(String html, String name) {
        Matcher row = Pattern.compile("<tr[^>]*><td>" + Pattern.quote(name) + "</td>(.*?)</tr>").matcher(section(html, "counts"));
        assertTrue(row.find(), "no counts row for " + name);
        List<Long> numbers = new ArrayList<>();
        Matcher cell = Pattern.compile("<td class=\"num\">(\\d+)</td>").matcher(row.group(1));
        while (cell.find()) numbers.add(Long.parseLong(cell.group(1)));
        return numbers;
    }

    private static String section(String html, String id) {
        int start = html.indexOf("<section id=\"" + id + "\">");
        assertTrue(start >= 0, "no section " + id);
        return html.substring(start, html.indexOf("</section>", start));
    }

    private static boolean near(int rgb, Color c, int tolerance) {
        return Math.abs(((rgb >> 16) & 0xff) - c.getRed()) <= tolerance
                && Math.abs(((rgb >> 8) & 0xff) - c.getGreen()) <= tolerance
                && Math.abs((rgb & 0xff) - c.getBlue()) <= tolerance;
    }
}
