package dev.clipcurate.pipeline.shards;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.sink.FileSinkCommittable;
import org.apache.flink.connector.file.sink.writer.FileWriter;
import org.apache.flink.connector.file.sink.writer.FileWriterBucketState;
import org.apache.flink.api.common.SupportsConcurrentExecutionAttempts;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

import java.io.IOException;
import java.io.Serializable;
import java.util.Collection;
import java.util.function.Consumer;

/**
 * A {@link FileSink} that says what it committed: every part file its committer makes visible comes out of the
 * sink's post-commit topology as a {@link CommitReport}, tagged with the checkpoint that committed it, for a stage
 * that seals versions inside the job (issue 16; docs/design/job-side-commits.md). Writing and committing are the
 * FileSink's own: this class only delegates to it (FileSink cannot be extended, its constructor is private).
 */
public final class ReportingFileSink<IN> implements Sink<IN>, SupportsWriterState<IN, FileWriterBucketState>,
        SupportsWriterState.WithCompatibleState, SupportsCommitter<FileSinkCommittable>,
        SupportsPreCommitTopology<FileSinkCommittable, FileSinkCommittable>, SupportsConcurrentExecutionAttempts,
        SupportsPostCommitTopology<FileSinkCommittable> {
    private final FileSink<IN> files;
    private final String kind;
    /** Given the committed files when the job graph is built (in the client): never shipped with the sink. */
    private final transient Consumer<DataStream<CommitReport>> onCommitted;

    /**
     * @param kind        what the files are (frames, clip_manifest...), carried on each report
     * @param onCommitted receives the stream of committed files while the job graph is built; its operators set
     *                    uids, so the sink needs one too ({@code sinkTo(...).uid(...)})
     */
    public ReportingFileSink(FileSink<IN> files, String kind, Consumer<DataStream<CommitReport>> onCommitted) {
        this.files = files;
        this.kind = kind;
        this.onCommitted = onCommitted;
    }

    @Override
    public FileWriter<IN> createWriter(WriterInitContext context) throws IOException {
        return files.createWriter(context);
    }

    @Override
    public FileWriter<IN> restoreWriter(WriterInitContext context, Collection<FileWriterBucketState> recoveredState)
            throws IOException {
        return files.restoreWriter(context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<FileWriterBucketState> getWriterStateSerializer() {
        return files.getWriterStateSerializer();
    }

    @Override
    public Collection<String> getCompatibleWriterStateNames() {
        return files.getCompatibleWriterStateNames();
    }

    @Override
    public Committer<FileSinkCommittable> createCommitter(CommitterInitContext context) throws IOException {
        return files.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<FileSinkCommittable> getCommittableSerializer() {
        return files.getCommittableSerializer();
    }

    @Override
    public DataStream<CommittableMessage<FileSinkCommittable>> addPreCommitTopology(
            DataStream<CommittableMessage<FileSinkCommittable>> committables) {
        return files.addPreCommitTopology(committables);
    }

    @Override
    public SimpleVersionedSerializer<FileSinkCommittable> getWriteResultSerializer() {
        return files.getWriteResultSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<FileSinkCommittable>> committed) {
        onCommitted.accept(committed.flatMap(new ToCommitReports(kind))
                .returns(CommitReport.class)
                .name(kind + ": files committed").uid("committed-files-" + kind));
    }

    /** A post-commit stream's messages as reports: summaries, committed part files, and committables without a file. */
    static final class ToCommitReports implements FlatMapFunction<CommittableMessage<FileSinkCommittable>, CommitReport>,
            Serializable {
        private final String kind;

        ToCommitReports(String kind) {
            this.kind = kind;
        }

        @Override
        public void flatMap(CommittableMessage<FileSinkCommittable> message, Collector<CommitReport> out) {
            if (message instanceof CommittableSummary<FileSinkCommittable> summary) {
                out.collect(CommitReport.summary(kind, summary.getCheckpointId(), summary.getSubtaskId(),
                        summary.getNumberOfSubtasks(), summary.getNumberOfCommittables()));
                return;
            }
            if (!(message instanceof CommittableWithLineage<FileSinkCommittable> lineage)) return;
            FileSinkCommittable committable = lineage.getCommittable();
            boolean file = committable.hasPendingFile() && committable.getPendingFile().getPath() != null;
            out.collect(CommitReport.committed(kind, lineage.getCheckpointId(), lineage.getSubtaskId(),
                    file ? committable.getPendingFile().getPath().toString() : null,
                    file ? committable.getPendingFile().getSize() : -1));
        }
    }
}
