package dev.clipcurate.pipeline.shards;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.avro.AvroParquetWriters;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes Parquet manifests of specific Avro records through Flink's file systems. */
public final class ManifestFiles {
    private ManifestFiles() {}

    public static <T extends SpecificRecordBase> List<T> read(Path file, Class<T> type) throws IOException {
        List<T> rows = new ArrayList<>();
        try (ParquetReader<T> reader = AvroParquetReader.<T>builder(new FlinkInputFile(file))
                .withDataModel(new org.apache.avro.specific.SpecificData(type.getClassLoader()))
                .build()) {
            for (T row; (row = reader.read()) != null; ) rows.add(row);
        }
        return rows;
    }

    public static <T extends SpecificRecordBase> void write(Path file, Class<T> type, List<T> rows) throws IOException {
        FileSystem fs = file.getFileSystem();
        try (FSDataOutputStream out = fs.create(file, FileSystem.WriteMode.NO_OVERWRITE)) {
            BulkWriter<T> writer = AvroParquetWriters.forSpecificRecord(type).create(out);
            for (T row : rows) writer.addElement(row);
            writer.finish();
        }
    }
}
