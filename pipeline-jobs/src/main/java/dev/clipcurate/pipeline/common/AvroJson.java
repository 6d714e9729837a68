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

    /** Longest text a message field may hold (a clip URI up to PATH_MAX); ids have tighter limits of their own. */
    public static final int MAX_TEXT_LENGTH = 4096;

    /** Jackson for untrusted messages: shallow nesting, short numbers, bounded documents; never quotes payloads. */
    private static final ObjectMapper UNTRUSTED = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                    .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(32)
                            .maxNumberLength(64)
                            .maxStringLength(1 << 20)
                            .maxDocumentLength(8L << 20)
                            .build())
                    .build())
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // a key given twice may be read differently by another consumer of the topic: refuse it
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private AvroJson() {}

    /** Thrown when message bytes are not one well-formed JSON document in UTF-8; the message never quotes them. */
    public static final class MalformedJson extends Exception {
        public MalformedJson(String message) {
            super(message);
        }
    }

    /**
     * Parses the bytes of an untrusted message: strict UTF-8 first (no overlong forms, no encoded surrogates, no
     * UTF-16 or UTF-32 guessed from the bytes), then JSON within the limits above.
     */
    public static JsonNode readUntrusted(byte[] bytes) throws MalformedJson {
        if (bytes == null || bytes.length == 0) throw new MalformedJson("empty message");
        String text = strictUtf8(bytes);
        JsonNode json;
        try {
            json = UNTRUSTED.readTree(text);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new MalformedJson("the JSON exceeds a limit (nesting deeper than 32, a number longer than 64 digits,"
                    + " or a string longer than 1 MiB)");
        } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
            throw new MalformedJson("the JSON ends early (truncated)" + at(e.getLocation()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's own message quotes the offending token, which may be personal data
            throw new MalformedJson("not valid JSON" + at(e.getLocation()));
        } catch (RuntimeException e) {
            throw new MalformedJson("not valid JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (json == null || json.isMissingNode()) throw new MalformedJson("no JSON value in the message");
        return json;
    }

    private static String strictUtf8(byte[] bytes) throws MalformedJson {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        var result = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .decode(in, out, true);
        if (result.isError()) throw new MalformedJson("not valid UTF-8 at byte " + in.position());
        return out.flip().toString();
    }

    private static String at(com.fasterxml.jackson.core.JsonLocation location) {
        if (location == null || location.getLineNr() < 0) return "";
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /**
     * What is wrong with a text field of a message, or null: it must be well-formed, visible Unicode. Control
     * characters (NUL among them), unpaired surrogates, invisible formatting (bidirectional overrides and marks,
     * zero-width characters), line separators and noncharacters have no place in ids, URIs or times, and are the
     * tools of spoofing and of injection into logs and paths.
     */
    public static String textProblem(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            switch (Character.getType(cp)) {
                case Character.CONTROL -> { return "contains control characters"; }
                case Character.SURROGATE -> { return "contains an unpaired UTF-16 surrogate"; }
                case Character.FORMAT -> { return "contains invisible formatting characters (bidirectional or zero-width)"; }
                case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> { return "contains line separators"; }
                default -> {
                    if ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF)) return "contains Unicode noncharacters";
                }
            }
            i += Character.charCount(cp);
        }
        return null;
    }

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
                // unknown names first: a misspelt field would otherwise be reported as a missing one
                Set<String> known = new HashSet<>();
                schema.getFields().forEach(f -> known.add(f.name()));
                List<String> unknown = new ArrayList<>();
                json.fieldNames().forEachRemaining(n -> { if (!known.contains(n)) unknown.add(n); });
                if (!unknown.isEmpty()) {
                    // a name may be data, so it is never quoted; a misspelt field is pointed out by the schema's name
                    List<String> meant = unknown.stream().map(n -> closest(n, known)).filter(java.util.Objects::nonNull)
                            .distinct().sorted().toList();
                    throw violation(path, "has " + unknown.size() + " unknown field(s)"
                            + (meant.isEmpty() ? "" : "; did you mean " + String.join(", ", meant) + "?"));
                }
                GenericRecord record = new GenericData.Record(schema);
                for (Schema.Field field : schema.getFields()) {
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
                String text = json.textValue();
                if (text.length() > MAX_TEXT_LENGTH) throw violation(path, "is longer than " + MAX_TEXT_LENGTH + " characters");
                String problem = textProblem(text);
                if (problem != null) throw violation(path, problem);
                return text;
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
                if (!json.isNumber() || !Double.isFinite(json.doubleValue())) throw violation(path, "must be a finite number");
                return json.doubleValue();
            }
            case FLOAT -> {
                if (!json.isNumber() || !Float.isFinite(json.floatValue())) throw violation(path, "must be a finite number");
                return json.floatValue();
            }
            case BOOLEAN -> {
                if (!json.isBoolean()) throw violation(path, "must be true or false");
                return json.booleanValue();
            }
            default -> throw violation(path, "has unsupported schema type " + schema.getType());
        }
    }

    /** The schema's field that an unknown name is a near miss of (case, or at most two edits), or null. */
    private static String closest(String name, Set<String> known) {
        if (name.length() > 64) return null;
        for (String field : known) {
            if (editDistance(name.toLowerCase(java.util.Locale.ROOT).replace('-', '_'), field) <= 2) return "'" + field + "'";
        }
        return null;
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
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
