package dev.clipcurate.pipeline.shards;

/**
 * A part file a FileSink's committer made visible: its final path and size, the checkpoint whose completion
 * committed it (1 in a BATCH job) and the writer subtask that wrote it. After a restore the same file may be
 * reported again: whoever collects these keeps each path once.
 */
public record CommittedFile(String kind, String path, long size, long checkpointId, int subtask) {}
