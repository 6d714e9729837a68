package dev.clipcurate.pipeline.shards;

/**
 * One message of a FileSink's post-commit stream, for the version committer. Per checkpoint each committer subtask
 * sends a summary first ({@code subtasks} committer subtasks in all, {@code committables} messages of its own to
 * follow), then one message per committable: a committed part file ({@code path}, {@code size}), or a clean-up of
 * an in-progress file ({@code path} null). With the summaries the committer knows when a checkpoint's files have
 * all arrived. After a restore the same checkpoint may be reported again.
 *
 * @param checkpointId the checkpoint whose completion committed the files (Long.MAX_VALUE at a BATCH job's end)
 * @param subtasks     a summary's number of committer subtasks; -1 on a committable
 * @param committables a summary's number of committables to follow; -1 on a committable
 */
public record CommitReport(String kind, long checkpointId, int subtask, String path, long size, int subtasks,
                           int committables) {

    public static CommitReport summary(String kind, long checkpointId, int subtask, int subtasks, int committables) {
        return new CommitReport(kind, checkpointId, subtask, null, -1, subtasks, committables);
    }

    /** A committed part file; {@code path} null for a committable that made no file visible. */
    public static CommitReport committed(String kind, long checkpointId, int subtask, String path, long size) {
        return new CommitReport(kind, checkpointId, subtask, path, size, -1, -1);
    }

    public boolean isSummary() {
        return subtasks >= 0;
    }

    public boolean isFile() {
        return !isSummary() && path != null;
    }
}
