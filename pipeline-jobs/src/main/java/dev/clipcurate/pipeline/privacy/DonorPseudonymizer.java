package dev.clipcurate.pipeline.privacy;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * Keyed pseudonyms for donor ids: HMAC-SHA256 under a secret key, first 128 bits as hex. Without the key a
 * pseudonym cannot be linked back to a donor id by guessing ids; with it the steward can find a donor's rows.
 */
public final class DonorPseudonymizer implements Serializable {
    public static final int MIN_KEY_BYTES = 16;
    private final byte[] key;
    private transient Mac mac;

    public DonorPseudonymizer(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the pseudonym key must have at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = key.clone();
    }

    public String pseudonymize(String donorId) {
        try {
            if (mac == null) {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
            }
            byte[] digest = mac.doFinal(donorId.getBytes(StandardCharsets.UTF_8));
            return "d_" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
