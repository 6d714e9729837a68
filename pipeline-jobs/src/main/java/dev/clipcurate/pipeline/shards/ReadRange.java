package dev.clipcurate.pipeline.shards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.schemas.ClipRow;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Kafka range a seal records, per partition {@code [from, to)}: {@code from} is where the build's previous
 * version ended (or where the build started), {@code to} the first offset without a sealed row.
 *
 * <p>Mid-run, rows arrive out of offset order (the decoding pass runs in parallel, staging holds clips for its
 * settle time): a row sealed above a message that is still in flight is kept in {@code beyond}, and {@code to}
 * only moves past offsets whose rows are sealed. So a new run started from a version's offsets (not restored from a
 * checkpoint) reads everything that version lacks, and the redeliveries it reads again are dropped by their clip
 * ids. A message dropped as a redelivery has no row and holds {@code to} back until the input ends; then {@code to}
 * is the end of what was read, and the messages without a row are the run's dropped redeliveries.
 */
record ReadRange(String topic, Map<Integer, Long> from, Map<Integer, Long> to, Map<Integer, List<Long>> beyond,
                 long consumed, long dropped, long runRows, long runDropped) {

    /** Writes the range into a version as {@link #after} reads it back: its build's run fields, its Kafka offsets. */
    void record(ObjectNode buildNode, ArrayNode kafkaOffsets) {
        buildNode.put("run_rows", runRows);
        buildNode.put("run_redelivered_dropped", runDropped);
        ObjectNode aboveTo = buildNode.putObject("offsets_beyond");
        beyond.forEach((p, offsets) -> {
            ArrayNode a = aboveTo.putArray(Integer.toString(p));
            offsets.forEach(a::add);
        });
        from.keySet().stream().sorted().forEach(p -> kafkaOffsets.addObject().put("topic", topic).put("partition", p)
                .put("from", from.get(p)).put("to", to.get(p)));
    }

    static ReadRange after(BuildInfo build, JsonNode own, List<ClipRow> rows, boolean end) {
        if (build.offsets().size() != 1) throw new IllegalArgumentException("one donations topic per build");
        String topic = build.offsets().keySet().iterator().next();
        Map<Integer, long[]> run = build.offsets().get(topic);
        Map<Integer, Long> from = new TreeMap<>();
        Map<Integer, TreeSet<Long>> beyond = new TreeMap<>();
        run.forEach((p, r) -> from.put(p, r[0]));
        if (own != null) {
            for (JsonNode o : own.get("kafka_offsets")) {
                if (topic.equals(o.get("topic").asText())) from.put(o.get("partition").asInt(), o.get("to").asLong());
            }
            own.path("build").path("offsets_beyond").fields().forEachRemaining(e -> {
                TreeSet<Long> set = beyond.computeIfAbsent(Integer.parseInt(e.getKey()), p -> new TreeSet<>());
                e.getValue().forEach(n -> set.add(n.asLong()));
            });
        }
        for (ClipRow row : rows) {
            if (!topic.equals(row.getSourceTopic())) continue;
            int p = row.getSourcePartition();
            from.putIfAbsent(p, 0L);
            if (row.getSourceOffset() >= from.get(p)) beyond.computeIfAbsent(p, k -> new TreeSet<>()).add(row.getSourceOffset());
        }
        Map<Integer, Long> to = new TreeMap<>();
        long consumed = 0;
        long runConsumed = 0;
        for (var e : from.entrySet()) {
            int p = e.getKey();
            TreeSet<Long> above = beyond.computeIfAbsent(p, k -> new TreeSet<>());
            long next = e.getValue();
            while (above.remove(next)) next++;
            if (end) {
                long[] r = run.get(p);
                if (!above.isEmpty()) next = Math.max(next, above.last() + 1);
                if (r != null && r[1] >= 0) next = Math.max(next, r[1]);
                above.clear();
            }
            to.put(p, next);
            consumed += next - e.getValue();
            long[] r = run.get(p);
            runConsumed += next - (r == null ? 0 : r[0]);
        }
        long runRows = (own == null ? 0 : own.path("build").path("run_rows").asLong(0)) + rows.size();
        long droppedBefore = own == null ? 0 : own.path("build").path("run_redelivered_dropped").asLong(0);
        long runDropped = end ? Math.max(droppedBefore, runConsumed - runRows) : droppedBefore;
        Map<Integer, List<Long>> beyondLists = new TreeMap<>();
        beyond.forEach((p, set) -> { if (!set.isEmpty()) beyondLists.put(p, List.copyOf(set)); });
        return new ReadRange(topic, from, to, beyondLists, consumed, runDropped - droppedBefore, runRows, runDropped);
    }
}
