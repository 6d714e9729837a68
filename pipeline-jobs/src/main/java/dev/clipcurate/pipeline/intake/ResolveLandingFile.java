package dev.clipcurate.pipeline.intake;

import dev.clipcurate.pipeline.common.Hashing;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;

/** Finds the clip's file in the landing area and checks it is the file the donor uploaded. */
public class ResolveLandingFile extends ProcessFunction<ClipTask, ClipTask> {
    private static final Logger LOG = LoggerFactory.getLogger(ResolveLandingFile.class);
    private final LandingArea landing;
    private final long maxFileBytes;
    private final String buildId;

    public ResolveLandingFile(LandingArea landing, long maxFileBytes, String buildId) {
        this.landing = landing;
        this.maxFileBytes = maxFileBytes;
        this.buildId = buildId;
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<ClipTask> out) {
        try {
            task.resolvedPath = check(task).toString();
            out.collect(task);
        } catch (ClipRejected e) {
            LOG.warn("rejected clip {}: {} ({})", task.clipId, e.reason().code(), e.getMessage());
            ctx.output(Decisions.TAG, Decisions.rejected(task, e, buildId));
        }
    }

    Path check(ClipTask task) throws ClipRejected {
        Path path = landing.resolve(task.clipUri);
        FileStatus status;
        try {
            FileSystem fs = path.getFileSystem();
            status = fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw new ClipRejected(RejectReason.MISSING_FILE, "no file at " + task.clipUri);
        } catch (IOException e) {
            throw new ClipRejected(RejectReason.READ_ERROR, "cannot stat " + task.clipUri + ": " + e.getMessage());
        }
        if (status.isDir()) throw new ClipRejected(RejectReason.MISSING_FILE, task.clipUri + " is a directory");
        // a FIFO or device would block the reads below forever
        if ("file".equals(path.toUri().getScheme())
                && !java.nio.file.Files.isRegularFile(java.nio.file.Paths.get(path.toUri()))) {
            throw new ClipRejected(RejectReason.MISSING_FILE, task.clipUri + " is not a regular file");
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
            throw new ClipRejected(RejectReason.READ_ERROR, "cannot read " + task.clipUri + ": " + e.getMessage());
        }
        if (!actual.equals(task.sha256)) {
            throw new ClipRejected(RejectReason.SHA256_MISMATCH, "file sha256 is " + actual + ", the message declares " + task.sha256);
        }
        return path;
    }
}
