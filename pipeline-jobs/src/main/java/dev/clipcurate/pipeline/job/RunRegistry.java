package dev.clipcurate.pipeline.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.shards.BuildInfo;
import dev.clipcurate.pipeline.shards.DatasetLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs in progress, and runs that died, under {@code <dataset>/runs/<build-id>.json}: what the run was asked to do.
 * The process that runs it holds a lock on {@code <build-id>.lock} (the operating system lets go of it when the
 * process dies, however it dies): a run whose lock is held is live, and gc leaves its files alone. A streaming run that died (the process was killed, or the job failed) keeps its file and its checkpoints:
 * the next {@code run} resumes it from the newest retained checkpoint, with the same build id, so what its committed
 * files hold is sealed once and no message is curated twice. A run that ended keeps nothing here.
 */
public final class RunRegistry {
    private final DatasetLayout layout;
    /** Locks this process holds on its own runs. */
    private static final Map<String, java.nio.channels.FileLock> HELD = new java.util.concurrent.ConcurrentHashMap<>();

    public RunRegistry(DatasetLayout layout) {
        this.layout = layout;
    }

    /** A run recorded here: its build, whether its process is alive, and its newest retained checkpoint (or null). */
    public record Run(BuildInfo build, boolean live, Path checkpoint) {}

    /** Run records are kept for local (file:) warehouses; on object stores the scheduler knows what runs. */
    private boolean local() {
        return "file".equals(layout.datasetDir().toUri().getScheme());
    }

    /** Records the run and holds its lock until {@link #ended}. */
    public void register(BuildInfo build) throws IOException {
        if (!local()) return;
        Files.createDirectories(dir());
        var channel = java.nio.channels.FileChannel.open(lockFile(build.buildId()),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        var lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IOException("run " + build.buildId() + " is running in another process");
        }
        HELD.put(build.buildId(), lock);
        ObjectNode doc = AvroJson.MAPPER.createObjectNode();
        doc.put("build_id", build.buildId());
        doc.put("mode", build.mode());
        doc.put("started_at", build.startedAt().toString());
        doc.put("parent", build.parent());
        doc.put("code_version", build.codeVersion());
        ArrayNode args = doc.putArray("args");
        build.args().forEach(args::add);
        ObjectNode offsets = doc.putObject("offsets");
        build.offsets().forEach((topic, parts) -> {
            ObjectNode t = offsets.putObject(topic);
            parts.forEach((p, r) -> t.putArray(Integer.toString(p)).add(r[0]).add(r[1]));
        });
        doc.set("config", AvroJson.MAPPER.valueToTree(build.config()));
        doc.set("models", AvroJson.MAPPER.valueToTree(build.models()));
        Path file = file(build.buildId());
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(temp, AvroJson.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The run's process lets go of it. A run that ended cleanly is forgotten; one that died keeps its record while
     * it has a checkpoint to resume from.
     */
    public void ended(String buildId, boolean forget) throws IOException {
        if (!local()) return;
        var lock = HELD.remove(buildId);
        if (lock != null) {
            lock.release();
            lock.channel().close();
        }
        if (forget) {
            Files.deleteIfExists(file(buildId));
            Files.deleteIfExists(lockFile(buildId));
        }
    }

    /** Whether a process (this one or another) holds the run's lock. */
    private boolean live(String buildId) throws IOException {
        if (HELD.containsKey(buildId)) return true;
        Path lockFile = lockFile(buildId);
        if (!Files.exists(lockFile)) return false;
        try (var channel = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.WRITE)) {
            var lock = channel.tryLock();
            if (lock == null) return true;
            lock.release();
            return false;
        } catch (java.nio.channels.OverlappingFileLockException heldHere) {
            return true;
        }
    }

    public List<Run> all() throws IOException {
        List<Run> runs = new ArrayList<>();
        if (!local()) return runs;
        Path dir = dir();
        if (!Files.isDirectory(dir)) return runs;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                JsonNode doc = AvroJson.MAPPER.readTree(f.toFile());
                BuildInfo build = buildOf(doc);
                runs.add(new Run(build, live(build.buildId()), newestCheckpoint(build.buildId())));
            }
        }
        return runs;
    }

    /** A streaming run that died and can be resumed, or null. */
    public Run resumable() throws IOException {
        return all().stream().filter(r -> !r.live() && r.checkpoint() != null && "streaming".equals(r.build().mode()))
                .max(Comparator.comparing(r -> r.build().startedAt())).orElse(null);
    }

    /** The newest completed checkpoint of a build ({@code chk-N} with its {@code _metadata}), or null. */
    public Path newestCheckpoint(String buildId) throws IOException {
        if (!local()) return null;
        Path dir = Paths.get(layout.checkpointsDir(buildId).toUri());
        if (!Files.isDirectory(dir)) return null;
        try (Stream<Path> files = Files.find(dir, 2, (p, a) -> p.getFileName().toString().matches("chk-\\d+")
                && Files.exists(p.resolve("_metadata")))) {
            return files.max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))))
                    .orElse(null);
        }
    }

    private static BuildInfo buildOf(JsonNode doc) {
        Map<String, Map<Integer, long[]>> offsets = new TreeMap<>();
        doc.get("offsets").fields().forEachRemaining(t -> {
            Map<Integer, long[]> parts = new TreeMap<>();
            t.getValue().fields().forEachRemaining(p -> parts.put(Integer.parseInt(p.getKey()),
                    new long[] {p.getValue().get(0).asLong(), p.getValue().get(1).asLong()}));
            offsets.put(t.getKey(), parts);
        });
        List<String> args = new ArrayList<>();
        doc.get("args").forEach(a -> args.add(a.asText()));
        Map<String, Object> config = new TreeMap<>(AvroJson.MAPPER.convertValue(doc.get("config"), Map.class));
        Map<String, String> models = new HashMap<>(AvroJson.MAPPER.convertValue(doc.get("models"), Map.class));
        return new BuildInfo(doc.get("build_id").asText(), doc.get("mode").asText(), args, offsets, config,
                doc.get("code_version").asText(), models, Instant.parse(doc.get("started_at").asText()),
                doc.get("parent").isNull() ? null : doc.get("parent").asText());
    }

    private Path dir() {
        return Paths.get(layout.runsDir().toUri());
    }

    private Path file(String buildId) {
        return dir().resolve(buildId + ".json");
    }

    private Path lockFile(String buildId) {
        return dir().resolve(buildId + ".lock");
    }
}
