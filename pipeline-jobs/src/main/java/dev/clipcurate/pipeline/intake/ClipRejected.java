package dev.clipcurate.pipeline.intake;

/** A clip that must not go further, with the reason recorded in the manifest. */
public final class ClipRejected extends Exception {
    private final RejectReason reason;

    public ClipRejected(RejectReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
