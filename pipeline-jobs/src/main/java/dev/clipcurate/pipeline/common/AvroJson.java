package dev.clipcurate.pipeline.common;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Plain JSON to and from Avro records, driven by the schema.
 *
 * <p>Avro's own JSON encoding wraps nullable values as {"string": "x"}, which no producer using kcat or a
 * web form writes; this reads and writes the plain form users expect and reports every violation with the
 * field path, never the field's value (values may be personal data).
 */
public final class AvroJson {

    /** Jackson set up so that parse errors never quote the payload back. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private AvroJson() {}

    /** Thrown when JSON does not conform to the schema; the message names fields, not values. */
    public static final class SchemaViolation extends Exception {
        public SchemaViolation(String message) {
            super(message);
        }
    }

    /** Converts a JSON object to a specific record of the given class, checking it against its schema. */
    public static <T extends IndexedRecord> T toRecord(JsonNode json, Class<T> type) throws SchemaViolation {
        Schema schema = SpecificData.get().getSchema(type);
        GenericRecord generic = (GenericRecord) convert(json, schema, "");
        @SuppressWarnings("unchecked")
        T specific = (T) SpecificData.get().deepCopy(schema, generic);
        return specific;
    }

    /** Renders a record as plain JSON: nullable fields as value or null, nested records as objects. */
    public static ObjectNode toJson(IndexedRecord record) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            Object value = record.get(field.pos());
            out.set(field.name(), valueToJson(value));
        }
        return out;
    }

    public static byte[] toJsonBytes(IndexedRecord record) {
        try {
            return MAPPER.writeValueAsBytes(toJson(record));
        } catch (Exception e) {
            throw new IllegalStateException("cannot render " + record.getSchema().getName() + " as JSON", e);
        }
    }

    private static JsonNode valueToJson(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) return f.nullNode();
        if (value instanceof IndexedRecord r) return toJson(r);
        if (value instanceof CharSequence s) return f.textNode(s.toString());
        if (value instanceof Integer i) return f.numberNode(i);
        if (value instanceof Long l) return f.numberNode(l);
        if (value instanceof Float fl) return f.numberNode(fl);
        if (value instanceof Double d) return f.numberNode(d);
        if (value instanceof Boolean b) return f.booleanNode(b);
        if (value instanceof List<?> list) {
            var array = f.arrayNode();
            list.forEach(v -> array.add(valueToJson(v)));
            return array;
        }
        throw new IllegalArgumentException("unsupported value type " + value.getClass().getName());
    }

    private static Object convert(JsonNode json, Schema schema, String path) throws SchemaViolation {
        switch (schema.getType()) {
            case RECORD -> {
                if (json == null || !json.isObject()) throw violation(path, "must be an object");
                GenericRecord record = new GenericData.Record(schema);
                Set<String> known = new HashSet<>();
                for (Schema.Field field : schema.getFields()) {
                    known.add(field.name());
                    JsonNode child = json.get(field.name());
                    String childPath = path.isEmpty() ? field.name() : path + "." + field.name();
                    if (child == null || child.isNull()) {
                        if (isNullable(field.schema())) {
                            record.put(field.pos(), field.hasDefaultValue() ? GenericData.get().getDefaultValue(field) : null);
                            continue;
                        }
                        throw violation(childPath, "is required");
                    }
                    record.put(field.pos(), convert(child, field.schema(), childPath));
                }
                List<String> unknown = new ArrayList<>();
                json.fieldNames().forEachRemaining(n -> { if (!known.contains(n)) unknown.add(n); });
                if (!unknown.isEmpty()) {
                    throw violation(path, "has unknown field(s) " + unknown.stream().limit(5).toList());
                }
                return record;
            }
            case UNION -> {
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() == Schema.Type.NULL) continue;
                    return convert(json, branch, path);
                }
                throw violation(path, "has no non-null branch");
            }
            case ARRAY -> {
                if (!json.isArray()) throw violation(path, "must be an array");
                if (json.size() > 1000) throw violation(path, "has more than 1000 items");
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < json.size(); i++) items.add(convert(json.get(i), schema.getElementType(), path + "[" + i + "]"));
                return new GenericData.Array<>(schema, items);
            }
            case STRING -> {
                if (!json.isTextual()) throw violation(path, "must be a string");
                return json.textValue();
            }
            case LONG -> {
                if (!json.isIntegralNumber() || !json.canConvertToLong()) throw violation(path, "must be an integer");
                return json.longValue();
            }
            case INT -> {
                if (!json.isIntegralNumber() || !json.canConvertToInt()) throw violation(path, "must be a 32-bit integer");
                return json.intValue();
            }
            case DOUBLE -> {
                if (!json.isNumber()) throw violation(path, "must be a number");
                return json.doubleValue();
            }
            case FLOAT -> {
                if (!json.isNumber()) throw violation(path, "must be a number");
                return json.floatValue();
            }
            case BOOLEAN -> {
                if (!json.isBoolean()) throw violation(path, "must be true or false");
                return json.booleanValue();
            }
            default -> throw violation(path, "has unsupported schema type " + schema.getType());
        }
    }

    private static boolean isNullable(Schema schema) {
        return schema.getType() == Schema.Type.NULL
                || (schema.getType() == Schema.Type.UNION
                        && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL));
    }

    private static SchemaViolation violation(String path, String problem) {
        return new SchemaViolation((path.isEmpty() ? "message" : "field '" + path + "'") + " " + problem);
    }
}
