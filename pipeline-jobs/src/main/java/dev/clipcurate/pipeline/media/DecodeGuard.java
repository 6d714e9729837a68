package dev.clipcurate.pipeline.media;

import dev.clipcurate.pipeline.common.InfrastructureFailure;
import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.pipeline.intake.SafetyNet;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Survives a decoder that kills the process. FFmpeg is native code: a file that crashes it takes the JVM (a
 * TaskManager, or the whole build) with it, and a restarted job would meet the same file again forever. So a
 * clip is recorded as in progress on the warehouse (a marker named by its SHA-256 under
 * {@code <dataset>/_decoding/}) before it is decoded, and the record is cleared when decoding ends, however it
 * ends, short of the process dying. A marker of another JVM found before decoding means that its attempt died
 * mid-way; once {@code crashLimit} attempts have, the clip is rejected {@code decoder_crash} and never decoded
 * again.
 * The marker of a rejected clip stays: the same bytes donated again are rejected without a decode.
 *
 * <p>The warehouse's file system failing is the infrastructure's failure: it fails the job.
 */
public final class DecodeGuard implements Serializable {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** Names this JVM in the markers it writes. */
    private static final String THIS_JVM = java.util.UUID.randomUUID().toString();
    private final String directory;
    private final int crashLimit;

    /**
     * @param directory  where the markers live (the dataset's {@code _decoding} directory); null disables the guard
     * @param crashLimit deaths during the decode of one file after which it is rejected (1: the first restart)
     */
    public DecodeGuard(String directory, int crashLimit) {
        if (crashLimit < 1) throw new IllegalArgumentException("the decoder crash limit must be at least 1");
        this.directory = directory;
        this.crashLimit = crashLimit;
    }

    /** No markers: for tools and tests that decode outside a dataset. */
    public static DecodeGuard none() {
        return new DecodeGuard(null, 1);
    }

    /** Runs {@code decode} for the file with this SHA-256 (checked against the file before), guarded as above. */
    public <T> T around(String sha256, SafetyNet.Judgement<T> decode) throws Exception {
        if (directory == null) return decode.judge();
        Path marker = marker(sha256);
        int died = deaths(marker);
        if (died >= crashLimit) {
            throw new ClipRejected(RejectReason.DECODER_CRASH, "the process died " + died + " time(s) while decoding this "
                    + "file (a crash of the native decoder); it is not decoded again");
        }
        write(marker, died);
        try {
            return decode.judge();
        } finally {
            delete(marker);
        }
    }

    /** How many attempts died while decoding the file with this SHA-256. */
    public int deaths(String sha256) {
        return directory == null ? 0 : deaths(marker(sha256));
    }

    private Path marker(String sha256) {
        if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("a decode is guarded by the file's SHA-256");
        }
        return new Path(directory, sha256);
    }

    /**
     * The deaths a marker records: those before its attempt, plus that attempt unless it belongs to this very
     * JVM, which is alive (a cancelled task of a MiniCluster may still be finishing its decode when the job
     * restarts beside it).
     */
    private static int deaths(Path marker) {
        String text;
        try {
            FileSystem fs = marker.getFileSystem();
            try (FSDataInputStream in = fs.open(marker)) {
                text = new String(in.readNBytes(128), StandardCharsets.US_ASCII).trim();
            }
        } catch (FileNotFoundException e) {
            return 0;
        } catch (IOException e) {
            throw new InfrastructureFailure("cannot read the decode marker " + marker, e);
        }
        String[] parts = text.split(" ");
        // a marker cut short by the death itself still says that an attempt died
        int before = parts[0].matches("[0-9]{1,6}") ? Integer.parseInt(parts[0]) : 0;
        boolean ours = parts.length == 2 && parts[1].equals(THIS_JVM);
        return ours ? before : before + 1;
    }

    /** Records an attempt: the deaths before it and the JVM that makes it. */
    private static void write(Path marker, int deathsBefore) {
        try (FSDataOutputStream out = marker.getFileSystem().create(marker, FileSystem.WriteMode.OVERWRITE)) {
            out.write((deathsBefore + " " + THIS_JVM).getBytes(StandardCharsets.US_ASCII));
            // on disk before FFmpeg sees the file, or the crash it records would take it along; object stores
            // (which write on close anyway) may not support sync: that is no reason to fail the clip or the job
            try {
                out.sync();
            } catch (IOException | UnsupportedOperationException e) {
                // closed below
            }
        } catch (IOException e) {
            throw new InfrastructureFailure("cannot write the decode marker " + marker, e);
        }
    }

    private static void delete(Path marker) {
        try {
            marker.getFileSystem().delete(marker, false);
        } catch (IOException e) {
            throw new InfrastructureFailure("cannot delete the decode marker " + marker, e);
        }
    }
}
