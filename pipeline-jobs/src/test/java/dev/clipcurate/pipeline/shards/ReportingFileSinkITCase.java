package dev.clipcurate.pipeline.shards;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a job-side version committer (issue 16) builds on: the FileSink's post-commit topology reports every part
 * file its committer made visible, with the checkpoint that committed it, including the final checkpoint at the end
 * of a bounded input, in STREAMING and in BATCH mode. (The final checkpoint's reports reach an operator chained to
 * the committer, as here; one behind a network edge may have ended before they arrive: see VersionSealer.sealLeftover.)
 */
class ReportingFileSinkITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** Reports from the job's post-commit topology, in this JVM (the MiniCluster runs here). */
    static final ConcurrentLinkedQueue<CommitReport> REPORTED = new ConcurrentLinkedQueue<>();

    @Test
    void everyVisiblePartFileIsReportedWithTheCheckpointThatCommittedIt(@TempDir Path out) throws Exception {
        List<CommitReport> reported = run(out, RuntimeExecutionMode.STREAMING);
        Set<String> visible = visibleParts(out);
        assertTrue(visible.size() >= 2, "several checkpoints, several parts: " + visible);
        assertEquals(visible, reported.stream().map(CommitReport::path).collect(Collectors.toCollection(TreeSet::new)));
        assertTrue(reported.stream().allMatch(f -> f.checkpointId() >= 1 && f.size() > 0 && f.kind().equals("numbers")),
                reported.toString());
        assertTrue(reported.stream().map(CommitReport::checkpointId).distinct().count() >= 2,
                "parts committed by different checkpoints, the last one at the end of input: " + reported);
        assertEquals(2000, lines(out), "every record in a visible part");
    }

    @Test
    void aBatchJobReportsItsFilesAtTheEnd(@TempDir Path out) throws Exception {
        List<CommitReport> reported = run(out, RuntimeExecutionMode.BATCH);
        Set<String> visible = visibleParts(out);
        assertFalse(visible.isEmpty());
        assertEquals(visible, reported.stream().map(CommitReport::path).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(2000, lines(out));
    }

    private static List<CommitReport> run(Path out, RuntimeExecutionMode mode) throws Exception {
        REPORTED.clear();
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, mode);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(Duration.ofMillis(200).toMillis());
        FileSink<String> files = FileSink.forRowFormat(new org.apache.flink.core.fs.Path(out.toUri()),
                        new SimpleStringEncoder<String>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build()).build();
        env.fromSequence(1, 2000)
                .map(i -> {
                    Thread.sleep(1); // long enough for several checkpoints
                    return Long.toString(i);
                }).returns(String.class)
                // a process function, not a sink: after the end of input a Sink V2 writer refuses what the committer
                // emits when the final checkpoint completes ("Received element after endOfInput")
                .sinkTo(new ReportingFileSink<>(files, "numbers", committed -> committed.process(new Collecting())
                        .returns(Void.class).uid("collect-committed").sinkTo(new DiscardingSink<>())
                        .uid("collect-committed-end")))
                .uid("numbers-sink");
        env.execute("reporting file sink");
        return REPORTED.stream().filter(CommitReport::isFile).toList();
    }

    private static Set<String> visibleParts(Path out) throws Exception {
        try (Stream<Path> files = Files.walk(out)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .map(p -> new org.apache.flink.core.fs.Path(p.toUri()).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static long lines(Path out) throws Exception {
        long n = 0;
        for (String part : visibleParts(out)) n += Files.readAllLines(Path.of(java.net.URI.create(part))).size();
        return n;
    }

    /** Puts each report into {@link #REPORTED}. */
    static final class Collecting extends ProcessFunction<CommitReport, Void> {
        @Override
        public void processElement(CommitReport report, Context context, Collector<Void> out) {
            REPORTED.add(report);
        }
    }
}
