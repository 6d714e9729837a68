package dev.clipcurate.pipeline.shards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.schemas.ClipRow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Kafka range each seal of a build records: a low watermark mid-run, the end of what was read at the end. */
class ReadRangeTest {
    private static final String TOPIC = "clips.donated";

    @Test
    void midRunTheRangeEndsAtTheFirstOffsetWithoutASealedRow() {
        // rows for 0, 1 and 3 sealed; 2 is still held by staging: the range stops before it
        ReadRange first = ReadRange.after(build(10, -1), null, rows(10, 11, 13), false);
        assertEquals(Map.of(0, 10L), first.from());
        assertEquals(Map.of(0, 12L), first.to());
        assertEquals(Map.of(0, List.of(13L)), first.beyond());
        assertEquals(2, first.consumed());
        assertEquals(0, first.dropped());

        // 12 arrives: the range takes up 12 and 13
        ReadRange second = ReadRange.after(build(10, -1), version(first), rows(12), false);
        assertEquals(Map.of(0, 12L), second.from());
        assertEquals(Map.of(0, 14L), second.to());
        assertEquals(Map.of(), second.beyond());
        assertEquals(2, second.consumed());
        assertEquals(4, second.runRows());
    }

    @Test
    void aDroppedRedeliveryHoldsTheRangeBackUntilTheEnd() {
        // 11 was a redelivery (no row): mid-run the range cannot pass it
        ReadRange mid = ReadRange.after(build(10, -1), null, rows(10, 12, 13), false);
        assertEquals(Map.of(0, 11L), mid.to());
        // at the end, the range closes at what was read and the gap is the run's dropped redelivery
        ReadRange end = ReadRange.after(build(10, -1), version(mid), rows(14), true);
        assertEquals(Map.of(0, 15L), end.to());
        assertEquals(4, end.consumed());
        assertEquals(1, end.dropped());
        assertEquals(5, mid.consumed() + end.consumed(), "10..14 consumed in all");
        assertEquals(4, end.runRows());
    }

    @Test
    void aBoundedBuildClosesAtItsEndEvenWhenTheLastMessagesHaveNoRow() {
        ReadRange end = ReadRange.after(build(0, 5), null, rows(0, 1, 2), true);
        assertEquals(Map.of(0, 5L), end.to());
        assertEquals(5, end.consumed());
        assertEquals(2, end.dropped());
    }

    private static BuildInfo build(long from, long end) {
        Map<String, Map<Integer, long[]>> offsets = new TreeMap<>();
        offsets.put(TOPIC, new TreeMap<>(Map.of(0, new long[] {from, end})));
        return new BuildInfo("b", "streaming", List.of(), offsets, Map.of(), "test", Map.of(), Instant.EPOCH, null);
    }

    private static List<ClipRow> rows(long... offsets) {
        return java.util.Arrays.stream(offsets).mapToObj(o -> ClipRow.newBuilder().setClipId("c" + o)
                .setDecision("rejected").setSourceTopic(TOPIC).setSourcePartition(0).setSourceOffset(o)
                .setBuildId("b").setProcessedAt(Instant.EPOCH.toString()).build()).toList();
    }

    /** What a version sealed with this range records, as the next seal reads it. */
    private static JsonNode version(ReadRange range) {
        ObjectNode v = AvroJson.MAPPER.createObjectNode();
        range.record(v.putObject("build"), v.putArray("kafka_offsets"));
        return v;
    }
}
