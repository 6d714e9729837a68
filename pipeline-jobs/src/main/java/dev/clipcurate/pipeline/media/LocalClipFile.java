package dev.clipcurate.pipeline.media;

import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.RejectReason;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

/**
 * A clip as a local file for FFmpeg: the landing file itself when it is local, otherwise (s3, hdfs) a temporary
 * copy that is deleted on close.
 */
public final class LocalClipFile implements AutoCloseable {
    private final File file;
    private final boolean temporary;

    private LocalClipFile(File file, boolean temporary) {
        this.file = file;
        this.temporary = temporary;
    }

    public static LocalClipFile of(Path path) throws ClipRejected {
        if ("file".equals(path.toUri().getScheme())) return new LocalClipFile(new File(path.toUri()), false);
        File local = null;
        try {
            local = File.createTempFile("clip-", ".bin");
            try (FSDataInputStream in = path.getFileSystem().open(path)) {
                Files.copy(in, local.toPath(), StandardCopyOption.REPLACE_EXISTING);
            }
            return new LocalClipFile(local, true);
        } catch (IOException e) {
            if (local != null) local.delete();
            throw new ClipRejected(RejectReason.READ_ERROR, "cannot copy clip from landing area: " + e.getMessage());
        }
    }

    public File file() {
        return file;
    }

    @Override
    public void close() {
        if (temporary && !file.delete()) file.deleteOnExit();
    }
}
