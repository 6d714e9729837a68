package dev.clipcurate.pipeline.common;

/**
 * A failure that is not the fault of the donation being judged (the warehouse's file system, a model that cannot
 * run): it fails the job, so that Flink restarts it, instead of becoming a row for the clip at hand.
 */
public class InfrastructureFailure extends RuntimeException {
    public InfrastructureFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
