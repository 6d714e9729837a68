package dev.clipcurate.pipeline.shards;

import dev.clipcurate.pipeline.common.Hashing;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;

/** Operations on sealed WebDataset tar shards that leave the original untouched (copy-on-write). */
public final class TarShards {
    private TarShards() {}

    /** What a copy wrote. */
    public record Copy(long size, String sha256, int samplesKept, int samplesDropped) {}

    /** The frame manifest beside a tar shard ({@code frames-000000.tar} → {@code frames-000000.parquet}). */
    public static String manifestOf(String tarPath) {
        return tarPath.replaceFirst("\\.tar$", ".parquet");
    }

    /** The tar shard a frame manifest describes. */
    public static String tarOf(String frameManifestPath) {
        return frameManifestPath.replaceFirst("\\.parquet$", ".tar");
    }

    /** The sample key of a tar member: its name up to the first dot ({@code key.json}, {@code key.jpg}). */
    public static String sampleKey(String memberName) {
        int slash = memberName.lastIndexOf('/');
        int dot = memberName.indexOf('.', slash + 1);
        return dot < 0 ? memberName : memberName.substring(0, dot);
    }

    /** Copies the tar's members, headers as they were, except every member of the samples named in {@code dropped}. */
    public static Copy copyWithout(Path source, Path target, Set<String> dropped) throws IOException {
        FileSystem fs = target.getFileSystem();
        MessageDigest digest = Hashing.sha256();
        Set<String> kept = new java.util.HashSet<>();
        Set<String> removed = new java.util.HashSet<>();
        try (FSDataInputStream raw = source.getFileSystem().open(source);
             TarArchiveInputStream in = new TarArchiveInputStream(raw);
             FSDataOutputStream out = fs.create(target, FileSystem.WriteMode.NO_OVERWRITE);
             DigestOutputStream hashed = new DigestOutputStream(out, digest);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(hashed, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                String key = sampleKey(e.getName());
                if (dropped.contains(key)) {
                    removed.add(key);
                    continue;
                }
                kept.add(key);
                TarArchiveEntry copy = new TarArchiveEntry(e.getName());
                copy.setSize(e.getSize());
                copy.setModTime(e.getModTime());
                copy.setMode(e.getMode());
                tar.putArchiveEntry(copy);
                in.transferTo(tar);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return new Copy(fs.getFileStatus(target).getLen(), HexFormat.of().formatHex(digest.digest()), kept.size(), removed.size());
    }
}
