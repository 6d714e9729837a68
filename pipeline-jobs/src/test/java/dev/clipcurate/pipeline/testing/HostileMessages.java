package dev.clipcurate.pipeline.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Generates hostile donation and consent messages from a valid one: every field of donation.avsc and
 * consent_event.avsc with NUL and other control characters, invalid UTF-8, lone surrogates (escaped and as
 * CESU-8 bytes), bidirectional and zero-width marks, noncharacters, huge strings and numbers, deep nesting and
 * wrong types; clip URIs in every form the landing area parses; and whole-message attacks (truncation, binary,
 * UTF-16, trailing data, duplicate keys, hostile field names). Each hostile text carries {@link #MARKER}, so a
 * test can check that no reason detail echoes the payload.
 */
public final class HostileMessages {
    /** In every hostile text: a detail that contains it echoes the payload. */
    public static final String MARKER = "Zq9x";
    private static final String PLACEHOLDER = "\"@@hostile@@\"";

    /** A generated message: its bytes, what it attacks, and whether parsing must refuse it. */
    public record Message(byte[] bytes, String attack, boolean mustFailParsing) {
        @Override
        public String toString() {
            return attack;
        }
    }

    private record Field(String path, Kind kind) {}

    private enum Kind { TEXT, URI, SHA, LONG, INSTANT, BOOLEAN, DOUBLE, COMPOUND }

    private static final List<Field> DONATION_FIELDS = List.of(
            new Field("clip_id", Kind.TEXT), new Field("donor_id", Kind.TEXT), new Field("campaign", Kind.TEXT),
            new Field("clip_uri", Kind.URI), new Field("sha256", Kind.SHA), new Field("size_bytes", Kind.LONG),
            new Field("capture", Kind.COMPOUND), new Field("capture.camera_id", Kind.TEXT),
            new Field("capture.captured_at", Kind.INSTANT), new Field("consent", Kind.COMPOUND),
            new Field("consent.scope", Kind.TEXT), new Field("consent.version", Kind.TEXT),
            new Field("consent.granted_at", Kind.INSTANT), new Field("declared_staged", Kind.BOOLEAN),
            new Field("consented_subjects", Kind.COMPOUND), new Field("consented_subjects.0.subject", Kind.TEXT),
            new Field("consented_subjects.0.region", Kind.COMPOUND), new Field("consented_subjects.0.region.x", Kind.DOUBLE),
            new Field("consented_subjects.0.region.w", Kind.DOUBLE), new Field("consented_subjects.0.from_ms", Kind.LONG),
            new Field("consented_subjects.0.to_ms", Kind.LONG));

    private static final List<Field> CONSENT_FIELDS = List.of(
            new Field("donor_id", Kind.TEXT), new Field("action", Kind.TEXT), new Field("scope", Kind.TEXT),
            new Field("consent_version", Kind.TEXT), new Field("at", Kind.INSTANT), new Field("recorded_by", Kind.TEXT));

    /** Texts that no field may hold: JSON fragments (raw bytes where the attack is in the encoding). */
    private static final List<byte[]> INVALID_TEXTS = List.of(
            json("\"" + MARKER + "\\u0000.txt\""), json("\"cam1.mp4\\u0000" + MARKER + "\""),
            bytes("\"" + MARKER, new byte[] {0x01}, "\""), json("\"" + MARKER + "\\n\\r\\t\""),
            json("\"" + MARKER + "\\u001b[31m\""), json("\"" + MARKER + "\\u007f\""), json("\"" + MARKER + "\\u0085\""),
            bytes("\"" + MARKER, new byte[] {(byte) 0xC2, (byte) 0x85}, "\""),
            json("\"" + MARKER + "\\ud800\""), json("\"\\udc00" + MARKER + "\""), json("\"" + MARKER + "\\udc00\\ud800\""),
            bytes("\"" + MARKER, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\""),
            bytes("\"" + MARKER, new byte[] {(byte) 0xFF}, "\""),
            bytes("\"" + MARKER, new byte[] {(byte) 0xC0, (byte) 0x80}, "\""),
            bytes("\"" + MARKER, new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, "\""),
            bytes("\"" + MARKER, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, "\""),
            bytes("\"" + MARKER, new byte[] {(byte) 0xE2, (byte) 0x82}, "\""),
            bytes("\"" + MARKER, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, "\""),
            json("\"" + MARKER + "\u202Egnp.exe\""), json("\"" + MARKER + "\\u202e\""), json("\"\u200F" + MARKER + "\""),
            json("\"" + MARKER + "\u2066x\u2069\""), json("\"" + MARKER + "\u061C\""), json("\"" + MARKER + "\u200B\""),
            json("\"\uFEFF" + MARKER + "\""), json("\"" + MARKER + "\u2028\""), json("\"" + MARKER + "\\uffff\""),
            json("\"" + MARKER + "\\ufdd0\""), json("\"" + MARKER + "\\udbff\\udfff\""),
            json("\"" + MARKER + "x".repeat(5_000) + "\""), json("\"" + MARKER + "y".repeat(200_000) + "\""),
            json("\"" + MARKER + "z".repeat(1_100_000) + "\""));

    /** Texts a field may hold as far as encoding goes (a field's own rules may still refuse them). */
    private static final List<String> ODD_TEXTS = List.of(
            MARKER + "\uD83D\uDE00", MARKER + "e\u0301\u0301\u0301", MARKER + "\u4E2D\u6587", " " + MARKER + " ", "",
            "   ", MARKER + "'; DROP TABLE clips; --", MARKER + "<script>", MARKER + "${jndi:ldap://x/a}",
            MARKER + "%s%n%x", MARKER + "\\\\..\\\\", MARKER + "a".repeat(300));

    private static final List<String> NUMBERS = List.of(
            "1e400", "-1e400", "123456789012345678901234567890", "9".repeat(70), "-9223372036854775809",
            "9223372036854775807", "-9223372036854775808", "-1", "0.5", "1e-400", "-0", "0", "4.9e-324",
            "1.7976931348623157e308");
    private static final List<String> INVALID_NUMBERS = List.of("NaN", "Infinity", "-Infinity", "0x10", "+1", "01",
            "1.", ".5", "1e", "--1");
    private static final List<String> WRONG_TYPES = List.of("true", "false", "null", "[]", "{}", "\"" + MARKER + "\"",
            "[1,2]", "{\"" + MARKER + "\":1}", "12", "[\"" + MARKER + "\"]");

    /** Fields that may be null or absent. */
    private static final List<String> OPTIONAL = List.of("declared_staged", "consented_subjects", "consent_version", "recorded_by");

    private final Random random;
    private int sequence;
    private final ObjectNode donation;
    private final ObjectNode consent;
    private final String landingUri;

    /**
     * @param validDonation a donation message that parses (with a consented subject, so that every field is there)
     * @param validConsent  a consent event that parses
     * @param landingUri    the landing root as a URI ending in '/', for absolute URIs inside and around it
     */
    public HostileMessages(Random random, ObjectNode validDonation, ObjectNode validConsent, String landingUri) {
        this.random = random;
        this.donation = validDonation.deepCopy();
        this.consent = validConsent.deepCopy();
        this.landingUri = landingUri.endsWith("/") ? landingUri : landingUri + "/";
    }

    /** A hostile donation; its clip id, unless attacked, is the template's with a sequence number, so that each one is judged. */
    public Message donation() {
        ObjectNode numbered = donation.deepCopy();
        numbered.put("clip_id", donation.get("clip_id").asText() + "-" + ++sequence);
        return message(numbered, DONATION_FIELDS, true);
    }

    public Message consentEvent() {
        return message(consent, CONSENT_FIELDS, false);
    }

    private Message message(ObjectNode base, List<Field> fields, boolean isDonation) {
        int dice = random.nextInt(100);
        if (dice < 12) return wholeMessage(base);
        Field field = fields.get(random.nextInt(fields.size()));
        if (dice < 18) return missing(base, field);
        if (dice < 22) return unknownField(base);
        if (field.kind == Kind.URI && dice < 60) return withValue(base, field, json(quote(uri())), "clip_uri form", false);
        return hostileValue(base, field);
    }

    private Message hostileValue(ObjectNode base, Field field) {
        int pick = random.nextInt(6);
        boolean textual = field.kind == Kind.TEXT || field.kind == Kind.URI || field.kind == Kind.SHA
                || field.kind == Kind.INSTANT;
        if (pick <= 2) {
            return withValue(base, field, INVALID_TEXTS.get(random.nextInt(INVALID_TEXTS.size())), "invalid text", true);
        }
        if (pick == 3 && textual) {
            return withValue(base, field, json(quote(ODD_TEXTS.get(random.nextInt(ODD_TEXTS.size())))), "odd text", false);
        }
        if (pick == 3 || pick == 4) {
            if (random.nextBoolean()) {
                String n = INVALID_NUMBERS.get(random.nextInt(INVALID_NUMBERS.size()));
                return withValue(base, field, json(n), "invalid number " + n, true);
            }
            String n = NUMBERS.get(random.nextInt(NUMBERS.size()));
            boolean numeric = field.kind == Kind.LONG || field.kind == Kind.DOUBLE;
            return withValue(base, field, json(n), "number " + n, !numeric);
        }
        int kind = random.nextInt(4);
        if (kind == 0) {
            int depth = List.of(10, 31, 40, 1000, 100_000).get(random.nextInt(5));
            return withValue(base, field, json("[".repeat(depth) + "\"" + MARKER + "\"" + "]".repeat(depth)),
                    "nesting " + depth, true);
        }
        String t = WRONG_TYPES.get(random.nextInt(WRONG_TYPES.size()));
        boolean numeric = field.kind == Kind.LONG || field.kind == Kind.DOUBLE;
        boolean fits = t.equals("null") && OPTIONAL.contains(field.path)
                || (t.equals("true") || t.equals("false")) && field.kind == Kind.BOOLEAN
                || t.equals("12") && numeric
                || t.startsWith("\"") && textual
                || t.equals("[]") && field.path.equals("consented_subjects");
        boolean mustFail = !fits;
        return withValue(base, field, json(t), "type " + t, mustFail);
    }

    /** Clip URIs in the forms the landing area parses: relative, absolute path, file: URIs, other schemes, escapes. */
    public String uri() {
        String name = MARKER + random.nextInt(1000) + ".mp4";
        String root = landingUri;
        String rootPath = java.net.URI.create(root).getPath();
        List<String> forms = List.of(name, "sub/" + name, "./" + name, "sub/../" + name, "../" + name,
                "a/../../" + name, "/etc/" + name, rootPath + name, "//" + name, "file:" + rootPath + name,
                "file:/" + rootPath.substring(1) + name, "file://" + rootPath + name, root + name,
                "file://evil.example" + rootPath + name, "file:" + name, root + MARKER + "%00.mp4",
                root + MARKER + "%0a.mp4", root + "%2e%2e/" + name, root + "a%2F..%2F" + name, root + MARKER + "%ZZ",
                root + MARKER + "%", root + MARKER + "%ED%A0%80.mp4", root + MARKER + "%C0%80", root + name + "?x=1",
                root + name + "#frag", name + "#frag", name + "?q", "\\\\" + name, "C:\\\\" + name, "s3://bucket/" + name,
                "hdfs://namenode/" + name, "http://example.com/" + name, "jar:file:/x.jar!/" + name,
                "mailto:" + name, ":" + name, "a:b" + name, " " + root + name, root + name + " ",
                root.toUpperCase(java.util.Locale.ROOT) + name, "FILE:" + rootPath + name, "~/" + name,
                "$HOME/" + name, "*" + name, name + "/", root, root + ".", root + "..", ".", "..",
                MARKER + "/" + "s".repeat(300) + ".mp4", MARKER + "/" + "d/".repeat(1500),
                root + "user:pw@" + name, "file://user@" + rootPath + name, "file:///proc/self/" + MARKER,
                "/dev/zero" + MARKER, "sub%2F" + name, MARKER + " with spaces.mp4", MARKER + "%20.mp4");
        return forms.get(random.nextInt(forms.size()));
    }

    private Message wholeMessage(ObjectNode base) {
        byte[] valid = base.toString().getBytes(StandardCharsets.UTF_8);
        switch (random.nextInt(14)) {
            case 0 -> {
                int cut = random.nextInt(valid.length);
                return new Message(Arrays.copyOf(valid, cut), "truncated at " + cut, true);
            }
            case 1 -> {
                byte[] noise = new byte[1 + random.nextInt(2000)];
                random.nextBytes(noise);
                noise[0] = (byte) (0x80 | noise[0]); // never accidentally JSON
                return new Message(noise, "binary", true);
            }
            case 2 -> {
                return new Message(base.toString().getBytes(StandardCharsets.UTF_16LE), "UTF-16LE", true);
            }
            case 3 -> {
                return new Message(base.toString().getBytes(StandardCharsets.UTF_16), "UTF-16 with BOM", true);
            }
            case 4 -> {
                return new Message(concat(valid, json(" " + MARKER)), "trailing data", true);
            }
            case 5 -> {
                return new Message(concat(valid, valid), "two documents", true);
            }
            case 6 -> {
                String dup = base.toString().replaceFirst("\\{", "{\"clip_id\":\"" + MARKER + "\",");
                return new Message(json(dup), "duplicate key", true);
            }
            case 7 -> {
                return new Message(json(List.of("", " ", "\n", "null", "[]", "\"" + MARKER + "\"", "42", "[" + base + "]")
                        .get(random.nextInt(8))), "not an object", true);
            }
            case 8 -> {
                return new Message(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, valid), "UTF-8 BOM", false);
            }
            case 9 -> {
                byte[] flipped = valid.clone();
                for (int i = 0; i < 1 + random.nextInt(4); i++) flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                return new Message(flipped, "bit flips", false);
            }
            case 10 -> {
                return new Message(new byte[0], "empty", true);
            }
            case 11 -> {
                return new Message(json("{".repeat(50_000)), "unclosed nesting", true);
            }
            case 12 -> {
                return new Message(concat(valid, new byte[] {0}), "trailing NUL byte", true);
            }
            default -> {
                return new Message(json(base.toString().replace("\"", "'")), "single quotes", true);
            }
        }
    }

    private Message missing(ObjectNode base, Field field) {
        ObjectNode copy = base.deepCopy();
        ObjectNode parent = parentOf(copy, field.path);
        if (parent == null) return hostileValue(base, field);
        parent.remove(last(field.path));
        return new Message(json(copy.toString()), "missing " + field.path, !OPTIONAL.contains(field.path));
    }

    private Message unknownField(ObjectNode base) {
        List<String> names = List.of(MARKER + "\u0000", MARKER + " name", MARKER + "\u202E", MARKER + "-" + "k".repeat(100),
                "clip_uri\u0000", "__proto__" + MARKER + "!");
        ObjectNode copy = base.deepCopy();
        String name = names.get(random.nextInt(names.size()));
        ObjectNode parent = random.nextBoolean() || copy.get("capture") == null ? copy : (ObjectNode) copy.get("capture");
        parent.put(name, MARKER);
        return new Message(json(copy.toString()), "unknown field", true);
    }

    private Message withValue(ObjectNode base, Field field, byte[] value, String attack, boolean mustFail) {
        ObjectNode copy = base.deepCopy();
        ObjectNode parent = parentOf(copy, field.path);
        if (parent == null) return wholeMessage(base);
        parent.put(last(field.path), "@@hostile@@");
        byte[] text = copy.toString().getBytes(StandardCharsets.UTF_8);
        return new Message(replace(text, PLACEHOLDER.getBytes(StandardCharsets.UTF_8), value),
                field.path + ": " + attack, mustFail);
    }

    /** The object that holds the path's last segment (numeric segments index arrays), or null. */
    private static ObjectNode parentOf(ObjectNode root, String path) {
        String[] parts = path.split("\\.");
        com.fasterxml.jackson.databind.JsonNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = parts[i].matches("[0-9]+") ? node.get(Integer.parseInt(parts[i])) : node.get(parts[i]);
            if (node == null) return null;
        }
        return node instanceof ObjectNode o ? o : null;
    }

    private static String last(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    private static String quote(String s) {
        return AvroJson.MAPPER.getNodeFactory().textNode(s).toString();
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String before, byte[] raw, String after) {
        return concat(concat(json(before), raw), json(after));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] replace(byte[] text, byte[] what, byte[] with) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length; ) {
            if (i + what.length <= text.length && Arrays.equals(text, i, i + what.length, what, 0, what.length)) {
                out.writeBytes(with);
                i += what.length;
            } else {
                out.write(text[i++]);
            }
        }
        return out.toByteArray();
    }

    /** Every attack the generator knows, by name: for reports of how many of each a test saw. */
    public static List<String> fieldPaths() {
        List<String> all = new ArrayList<>();
        DONATION_FIELDS.forEach(f -> all.add("donation." + f.path));
        CONSENT_FIELDS.forEach(f -> all.add("consent." + f.path));
        return all;
    }
}
