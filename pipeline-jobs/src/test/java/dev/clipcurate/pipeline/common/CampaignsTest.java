package dev.clipcurate.pipeline.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CampaignsTest {
    @Test
    void aUserFileMergesKeyByKeyOverTheBundledRules(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("campaigns.json");
        Files.writeString(file, """
                {"defaults": {"staging": {"weights": {"unusual_time": 0}}},
                 "campaigns": {"bike-theft": {"scoring": {"min_score": 0.5}}}}""");
        Campaigns c = Campaigns.load(file);
        assertEquals(0.5, c.of("bike-theft").scoring().minScore());
        assertEquals(0.25, c.of("bike-theft").scoring().topFraction(), "kept from the bundled defaults");
        assertEquals(0.0, c.of("bike-theft").staging().weights().get("unusual_time"));
        assertEquals(3.0, c.of("bike-theft").staging().weights().get("declared_staged"), "other weights kept");
        assertEquals(0.2, c.of("never-heard-of").scoring().minScore(), "unlisted campaigns get the defaults");
        assertEquals(0.2, c.of("package-theft").scoring().minScore(), "bundled campaigns stay");
        assertEquals(List.of("person"), c.of("bike-theft").scoring().classes(), "lists come from the defaults too");
    }

    @Test
    void mistakesAreRefusedWithWhereAndWhat(@TempDir Path dir) throws Exception {
        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, "{\"campaigns\": {\"x\": {\"scoring\": {\"min_scor\": 0.5}}}}");
        IOException e = assertThrows(IOException.class, () -> Campaigns.load(typo));
        assertTrue(e.getMessage().contains("campaigns.x") && e.getMessage().contains("min_scor"), e.getMessage());

        Path badWeight = dir.resolve("weight.json");
        Files.writeString(badWeight, "{\"defaults\": {\"staging\": {\"weights\": {\"moon_phase\": 1}}}}");
        e = assertThrows(IOException.class, () -> Campaigns.load(badWeight));
        assertTrue(e.getMessage().contains("moon_phase") && e.getMessage().contains("declared_staged"), e.getMessage());

        Path range = dir.resolve("range.json");
        Files.writeString(range, "{\"defaults\": {\"scoring\": {\"min_score\": 3}}}");
        e = assertThrows(IOException.class, () -> Campaigns.load(range));
        assertTrue(e.getMessage().contains("min_score must be within 0..1"), e.getMessage());

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"defaults\": ");
        e = assertThrows(IOException.class, () -> Campaigns.load(broken));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }
}
