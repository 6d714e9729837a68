package dev.clipcurate.pipeline.intake;

import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * A rejected clip's manifest row as a JSON message keyed by clip id (null key for unparsable messages), stamped with
 * the time of the decision.
 */
public final class RejectionRecords implements KafkaRecordSerializationSchema<ClipRow> {
    private final String topic;

    public RejectionRecords(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(ClipRow row, KafkaSinkContext context, Long timestamp) {
        byte[] key = row.getClipId() == null ? null : row.getClipId().getBytes(StandardCharsets.UTF_8);
        // the decision's time, not the stream's: rows decided by the dedup stage carry its arrival stamps
        // (1 in a batch build), which a broker rejects as too old
        long decidedAt = java.time.Instant.parse(row.getProcessedAt()).toEpochMilli();
        return new ProducerRecord<>(topic, null, decidedAt, key, AvroJson.toJsonBytes(row));
    }
}
