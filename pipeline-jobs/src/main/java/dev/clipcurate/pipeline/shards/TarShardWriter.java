package dev.clipcurate.pipeline.shards;

import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.media.FrameSample;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Date;

/**
 * Writes frames into a WebDataset tar: {@code <key>.json} then {@code <key>.jpg}, both members of one sample
 * in the same part file. Member times are fixed so that the same frames give the same bytes.
 */
public final class TarShardWriter implements BulkWriter<FrameSample> {
    private static final Date FIXED_MTIME = new Date(0);
    private final TarArchiveOutputStream tar;

    TarShardWriter(FSDataOutputStream out) {
        // the sink owns and closes the underlying stream; finish() must leave it open
        this.tar = new TarArchiveOutputStream(new NonClosingStream(out), "UTF-8");
        this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    public static BulkWriter.Factory<FrameSample> factory() {
        return TarShardWriter::new;
    }

    @Override
    public void addElement(FrameSample frame) throws IOException {
        put(frame.key + ".json", AvroJson.toJsonBytes(FrameLabels.of(frame)));
        put(frame.key + ".jpg", frame.jpeg);
    }

    private void put(String name, byte[] bytes) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        entry.setModTime(FIXED_MTIME);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    @Override
    public void flush() throws IOException {
        tar.flush();
    }

    @Override
    public void finish() throws IOException {
        tar.finish();
        tar.flush();
    }

    private static final class NonClosingStream extends java.io.FilterOutputStream {
        NonClosingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
