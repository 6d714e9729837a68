package dev.clipcurate.pipeline.shards;

import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

import java.io.IOException;

/** Lets Parquet read any file Flink can open (local, s3, hdfs) without Hadoop's file systems. */
public final class FlinkInputFile implements InputFile {
    private final Path path;
    private final FileSystem fs;

    public FlinkInputFile(Path path) throws IOException {
        this.path = path;
        this.fs = path.getFileSystem();
    }

    @Override
    public long getLength() throws IOException {
        return fs.getFileStatus(path).getLen();
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
        FSDataInputStream in = fs.open(path);
        return new DelegatingSeekableInputStream(in) {
            @Override
            public long getPos() throws IOException {
                return in.getPos();
            }

            @Override
            public void seek(long newPos) throws IOException {
                in.seek(newPos);
            }
        };
    }
}
