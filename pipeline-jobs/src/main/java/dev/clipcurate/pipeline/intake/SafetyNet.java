package dev.clipcurate.pipeline.intake;

import dev.clipcurate.pipeline.common.InfrastructureFailure;
import dev.clipcurate.schemas.ClipRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The safety net of the operators that judge one donation at a time. A {@link ClipRejected} becomes the clip's
 * rejected row; any other exception the judging code did not expect becomes a {@code processing_error} row for
 * that donation, naming the operator and the exception's class (never its message, which may quote the
 * payload), and the job goes on with the next donation.
 *
 * <p>What is not the donation's fault still fails the job, so that Flink restarts it from its last checkpoint:
 * {@link InfrastructureFailure} (the warehouse's file system, a model that cannot run), Flink's own runtime
 * exceptions (state, network), checked exceptions (they are not caught here) and {@link Error}s.
 */
public final class SafetyNet {
    private static final Logger LOG = LoggerFactory.getLogger(SafetyNet.class);

    private SafetyNet() {}

    /**
     * The judgement of one donation: a result, or {@link ClipRejected} with the reason. Other checked exceptions
     * (state, I/O of the job's own storage) pass through and fail the job.
     */
    @FunctionalInterface
    public interface Judgement<T> {
        T judge() throws Exception;
    }

    /**
     * Judges one clip: returns the result, or null once the clip's row has been handed to {@code rows}. Callers
     * emit results outside the judgement, so that an exception of a chained downstream operator is never taken
     * for this clip's.
     */
    public static <T> T judge(String operator, ClipTask task, String buildId, Consumer<ClipRow> rows,
                              Judgement<T> judgement) throws Exception {
        return judge(operator, () -> "clip " + task.clipId, (why, unexpected) -> Decisions.rejected(task, why, buildId),
                rows, judgement);
    }

    /** As {@link #judge}, for a raw message that is not a clip yet (its row names the message's position). */
    public static <T> T judge(String operator, DonationMessage message, String buildId, Consumer<ClipRow> rows,
                              Judgement<T> judgement) throws Exception {
        return judge(operator, () -> "message " + message.topic + "-" + message.partition + "@" + message.offset,
                (why, unexpected) -> Decisions.unparsed(message, why,
                        unexpected ? null : DonationParser.bestEffortClipId(message), buildId),
                rows, judgement);
    }

    /** {@code row}: the row for a rejection, told whether it is a processing_error the net made. */
    private static <T> T judge(String operator, Supplier<String> subject, BiFunction<ClipRejected, Boolean, ClipRow> row,
                               Consumer<ClipRow> rows, Judgement<T> judgement) throws Exception {
        try {
            return judgement.judge();
        } catch (ClipRejected e) {
            LOG.warn("rejected {}: {} ({})", subject.get(), e.reason().code(), e.getMessage());
            rows.accept(row.apply(e, false));
        } catch (RuntimeException e) {
            if (!isDonationsFault(e)) throw e;
            LOG.error("processing_error for {} in {}: {}", subject.get(), operator, where(e));
            rows.accept(row.apply(error(operator, e), true));
        }
        return null;
    }

    /** Whether an unexpected exception is the donation's doing (a row) rather than the infrastructure's (a restart). */
    public static boolean isDonationsFault(RuntimeException e) {
        return !(e instanceof InfrastructureFailure) && !(e instanceof org.apache.flink.util.FlinkRuntimeException)
                && !(e instanceof org.apache.flink.util.WrappingRuntimeException);
    }

    /** The processing_error for an exception: operator and exception class only. */
    public static ClipRejected error(String operator, RuntimeException e) {
        return new ClipRejected(RejectReason.PROCESSING_ERROR,
                "unexpected " + e.getClass().getName() + " in operator " + operator + " while judging this clip");
    }

    /** The exception's class and where it was thrown, for the log: its message may quote the payload. */
    private static String where(Throwable e) {
        return e.getClass().getName() + " at " + Arrays.stream(e.getStackTrace()).limit(4).map(String::valueOf)
                .collect(Collectors.joining(" < "));
    }
}
