package dev.clipcurate.pipeline.shards;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.hadoop.conf.Configuration;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.avro.AvroParquetWriters;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetReader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads and writes Parquet manifests of specific Avro records through Flink's file systems. */
public final class ManifestFiles {
    private ManifestFiles() {}

    public static <T extends SpecificRecordBase> List<T> read(Path file, Class<T> type) throws IOException {
        return readWithout(file, type, Set.of());
    }

    /**
     * Reads the rows without the named columns, which keep their defaults (null): Parquet then does not even read
     * them. For readers that need ids and decisions but not, say, the clip manifest's fingerprints.
     */
    public static <T extends SpecificRecordBase> List<T> readWithout(Path file, Class<T> type, Set<String> skipped)
            throws IOException {
        SpecificData model = new SpecificData(type.getClassLoader());
        Configuration conf = new Configuration(false);
        if (!skipped.isEmpty()) {
            Schema full = model.getSchema(type);
            List<Schema.Field> kept = new ArrayList<>();
            for (Schema.Field f : full.getFields()) if (!skipped.contains(f.name())) kept.add(new Schema.Field(f, f.schema()));
            AvroReadSupport.setRequestedProjection(conf,
                    Schema.createRecord(full.getName(), full.getDoc(), full.getNamespace(), false, kept));
        }
        List<T> rows = new ArrayList<>();
        try (ParquetReader<T> reader = AvroParquetReader.<T>builder(new FlinkInputFile(file))
                .withDataModel(model)
                .withConf(conf)
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
