package dev.clipcurate.pipeline.intake;

import dev.clipcurate.pipeline.common.Hashing;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.io.FileNotFoundException;
import java.io.IOException;

/** Finds the clip's file in the landing area and checks it is the file the donor uploaded. */
public class ResolveLandingFile extends ProcessFunction<ClipTask, ClipTask> {
    static final String NAME = "intake: resolve landing file";
    private final LandingArea landing;
    private final long maxFileBytes;
    private final String buildId;

    public ResolveLandingFile(LandingArea landing, long maxFileBytes, String buildId) {
        this.landing = landing;
        this.maxFileBytes = maxFileBytes;
        this.buildId = buildId;
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<ClipTask> out) throws Exception {
        Path path = SafetyNet.judge(NAME, task, buildId, row -> ctx.output(Decisions.TAG, row), () -> check(task));
        if (path == null) return;
        task.resolvedPath = path.toString();
        out.collect(task);
    }

    Path check(ClipTask task) throws ClipRejected {
        Path path = landing.resolve(task.clipUri);
        FileStatus status;
        try {
            FileSystem fs = path.getFileSystem();
            status = fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw new ClipRejected(RejectReason.MISSING_FILE, "no file at clip_uri in the landing area");
        } catch (IOException e) {
            // the exception's message quotes the path: the row has clip_uri in source_uri already
            throw new ClipRejected(RejectReason.READ_ERROR, "cannot stat the file at clip_uri: " + e.getClass().getSimpleName());
        }
        if (status.isDir()) throw new ClipRejected(RejectReason.MISSING_FILE, "clip_uri names a directory");
        // a FIFO or device would block the reads below forever
        if ("file".equals(path.toUri().getScheme())
                && !java.nio.file.Files.isRegularFile(java.nio.file.Paths.get(path.toUri()))) {
            throw new ClipRejected(RejectReason.MISSING_FILE, "clip_uri names something that is not a regular file");
        }
        if (status.getLen() > maxFileBytes) {
            throw new ClipRejected(RejectReason.FILE_TOO_LARGE,
                    "file has " + status.getLen() + " bytes, the limit is " + maxFileBytes);
        }
        if (status.getLen() != task.sizeBytes) {
            throw new ClipRejected(RejectReason.SIZE_MISMATCH,
                    "file has " + status.getLen() + " bytes, the message declares " + task.sizeBytes);
        }
        String actual;
        try (FSDataInputStream in = path.getFileSystem().open(path)) {
            actual = Hashing.sha256Hex(in);
        } catch (IOException e) {
            throw new ClipRejected(RejectReason.READ_ERROR, "cannot read the file at clip_uri: " + e.getClass().getSimpleName());
        }
        if (!actual.equals(task.sha256)) {
            throw new ClipRejected(RejectReason.SHA256_MISMATCH, "file sha256 is " + actual + ", the message declares " + task.sha256);
        }
        return path;
    }
}
