package dev.clipcurate.pipeline.staging;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The clips earlier versions accepted, as staging evidence for the same donors' new clips (stamp 0: they come
 * before every clip of this run). Read from the parent's clip manifests, without the fingerprint column.
 */
public final class EarlierClipFacts {
    private EarlierClipFacts() {}

    /** @param tasks this run's clips: an empty stream derived from it stands in when there is no earlier version */
    public static DataStream<ClipFacts> read(StreamExecutionEnvironment env, List<String> clipManifests, DataStream<ClipTask> tasks) {
        TypeInformation<ClipFacts> type = TypeInformation.of(ClipFacts.class);
        if (clipManifests.isEmpty()) {
            return tasks.filter(t -> false).uid("staging-no-earlier-filter").name("staging: no earlier versions")
                    .map(t -> new ClipFacts(), type).uid("staging-no-earlier").name("staging: no earlier versions");
        }
        return env.fromData(clipManifests, Types.STRING)
                .name("staging: earlier versions' clip manifests").uid("staging-earlier-manifests")
                .flatMap(new ReadFacts(), type)
                .uid("staging-earlier-facts").name("staging: earlier clips");
    }

    static final class ReadFacts implements FlatMapFunction<String, ClipFacts> {
        @Override
        public void flatMap(String manifest, Collector<ClipFacts> out) throws Exception {
            for (ClipRow row : ManifestFiles.readWithout(new Path(manifest), ClipRow.class, Set.of("fingerprint"))) {
                if (!Decisions.ACCEPTED.equals(row.getDecision()) || row.getDonorPseudonym() == null) continue;
                long capturedAtMs;
                try {
                    capturedAtMs = Instant.parse(row.getCapturedAt()).toEpochMilli();
                } catch (RuntimeException e) {
                    continue; // not evidence for anything rather than evidence dated 1970
                }
                long durationMs = row.getDurationS() == null ? 0 : Math.round(row.getDurationS() * 1000);
                out.collect(new ClipFacts(row.getClipId(), row.getDonorPseudonym(), row.getCameraId(), capturedAtMs,
                        durationMs, row.getDeclaredStaged(), null, null, 0));
            }
        }
    }
}
