package dev.clipcurate.pipeline.intake;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Keeps the bytes untouched so that parsing, and its failures, happen in an operator that can record them. */
public class DonationMessageDeserializer implements KafkaRecordDeserializationSchema<DonationMessage> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DonationMessage> out) {
        out.collect(new DonationMessage(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.value() == null ? new byte[0] : record.value()));
    }

    @Override
    public TypeInformation<DonationMessage> getProducedType() {
        return TypeInformation.of(DonationMessage.class);
    }
}
