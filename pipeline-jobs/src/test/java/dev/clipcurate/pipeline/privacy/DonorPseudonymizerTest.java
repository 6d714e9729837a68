package dev.clipcurate.pipeline.privacy;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DonorPseudonymizerTest {
    @Test
    void stableUnderOneKeyDifferentUnderAnother() {
        DonorPseudonymizer a = new DonorPseudonymizer("first-secret-key-0123".getBytes(StandardCharsets.UTF_8));
        DonorPseudonymizer b = new DonorPseudonymizer("other-secret-key-0123".getBytes(StandardCharsets.UTF_8));
        assertEquals(a.pseudonymize("donor-1"), a.pseudonymize("donor-1"));
        assertNotEquals(a.pseudonymize("donor-1"), a.pseudonymize("donor-2"));
        assertNotEquals(a.pseudonymize("donor-1"), b.pseudonymize("donor-1"));
        // known answer, computed with Python's hmac: HMAC-SHA256("first-secret-key-0123", "donor-1")[:16]
        assertEquals("d_3e311563e2b70773876f2b43ffd027df", a.pseudonymize("donor-1"));
    }

    @Test
    void refusesShortKeys() {
        assertThrows(IllegalArgumentException.class, () -> new DonorPseudonymizer("short".getBytes(StandardCharsets.UTF_8)));
    }
}
