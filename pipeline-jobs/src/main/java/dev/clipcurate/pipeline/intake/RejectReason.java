package dev.clipcurate.pipeline.intake;

/** Reason codes of the clip manifest's {@code reason} column and of messages on the rejected topic. */
public enum RejectReason {
    MALFORMED_JSON,
    SCHEMA_VIOLATION,
    URI_OUTSIDE_LANDING,
    MISSING_FILE,
    SHA256_MISMATCH,
    SIZE_MISMATCH,
    FILE_TOO_LARGE,
    NOT_A_VIDEO,
    TRUNCATED_VIDEO,
    UNDECODABLE_VIDEO,
    RESOLUTION_OVER_LIMIT,
    DURATION_OVER_LIMIT,
    DECODE_TIMEOUT,
    /** The process died while decoding this file, as many times as the job's crash limit allows ({@code DecodeGuard}). */
    DECODER_CRASH,
    READ_ERROR,
    /** An exception no stage expected while judging this donation (the operator and exception class in the detail). */
    PROCESSING_ERROR,
    FACE_LEAK,
    /** The donor has no grant of consent for the job's scope on the consent topic (none yet, or revoked). */
    NO_CONSENT,
    /** Decision {@code rejected}: the clip's usefulness score is below its campaign's minimum. */
    LOW_SCORE,
    /** Decision {@code duplicate}: the same bytes (sha256) as a clip that went on before it. */
    EXACT_COPY,
    /** Decision {@code duplicate}: the same footage as an earlier clip (re-encoded, cropped, trimmed, overlaid...). */
    NEAR_DUPLICATE,
    /** Decision {@code duplicate}: as {@link #NEAR_DUPLICATE}, mirrored left-right. */
    MIRRORED_DUPLICATE;

    /** The code as written to manifests: lower snake case. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
