package dev.clipcurate.pipeline.intake;

import dev.clipcurate.pipeline.common.AvroJson;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;

/**
 * The only place clip files may be read from. A clip URI is either relative to the root or an absolute URI
 * under it; {@code ..} segments are refused outright, and on local file systems symlinks are resolved and the
 * real path must still be under the root's real path.
 */
public final class LandingArea implements Serializable {
    private final String rootUri;

    public LandingArea(String root) {
        URI uri = new Path(root).toUri();
        if (uri.getScheme() == null) uri = Paths.get(root).toAbsolutePath().normalize().toUri();
        String s = uri.toString();
        this.rootUri = s.endsWith("/") ? s : s + "/";
    }

    public String root() {
        return rootUri;
    }

    /**
     * Resolves a clip URI to a path inside the landing area, or says why it is not allowed. Never throws anything
     * else, whatever the URI holds: it comes from a donation message.
     */
    public Path resolve(String clipUri) throws ClipRejected {
        if (clipUri == null || clipUri.isEmpty()) throw outside("clip_uri is empty");
        try {
            return resolveChecked(clipUri);
        } catch (ClipRejected e) {
            throw e;
        } catch (RuntimeException e) {
            // java.net.URI, java.nio and Flink's Path each refuse some strings in their own way
            throw outside("clip_uri is not a usable path (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Path resolveChecked(String clipUri) throws ClipRejected {
        URI root = URI.create(rootUri);
        URI candidate;
        try {
            candidate = new URI(null, null, clipUri, null);
            if (clipUri.contains(":")) candidate = new URI(clipUri);
        } catch (URISyntaxException e) {
            throw outside("clip_uri is not a valid URI");
        }
        if (candidate.isOpaque()) throw outside("clip_uri has no path");
        if (candidate.getRawQuery() != null || candidate.getRawFragment() != null) {
            throw outside("clip_uri has a query or a fragment");
        }
        if (candidate.getRawUserInfo() != null) throw outside("clip_uri has user information");
        String rawPath = candidate.getPath();
        if (rawPath == null || rawPath.isEmpty()) throw outside("clip_uri has no path");
        // percent-escapes decode here: %00, %0A and the like would reach the file system
        String pathProblem = AvroJson.textProblem(rawPath);
        if (pathProblem != null) throw outside("clip_uri's path, decoded, " + pathProblem);
        if (rawPath.indexOf('\\') >= 0) throw outside("clip_uri contains a backslash");
        for (String segment : rawPath.split("/")) {
            if (segment.equals("..")) throw outside("clip_uri contains '..'");
        }
        URI resolved = candidate.isAbsolute() || rawPath.startsWith("/") ? candidate : root.resolve(candidate);
        if (resolved.getScheme() == null) resolved = URI.create(root.getScheme() + ":" + resolved.getRawPath());
        String resolvedText = resolved.normalize().toString();
        if (resolvedText.startsWith("file:/") && !resolvedText.startsWith("file:///")) {
            resolvedText = "file:///" + resolvedText.substring("file:/".length());
        }
        String rootText = rootUri.startsWith("file:/") && !rootUri.startsWith("file:///")
                ? "file:///" + rootUri.substring("file:/".length()) : rootUri;
        if (!resolvedText.startsWith(rootText)) {
            throw outside("clip_uri points outside the landing root");
        }
        if ("file".equals(resolved.getScheme())) checkLocalRealPath(resolved, URI.create(rootText));
        return new Path(resolved);
    }

    private static void checkLocalRealPath(URI file, URI root) throws ClipRejected {
        try {
            java.nio.file.Path realRoot = Paths.get(root).toRealPath();
            java.nio.file.Path target = Paths.get(file);
            if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return; // reported as missing_file later
            java.nio.file.Path real = target.toRealPath();
            if (!real.startsWith(realRoot)) throw outside("clip_uri is a link that leads outside the landing root");
        } catch (NoSuchFileException e) {
            // a dangling link or a vanished file: reported as missing_file when the file is opened
        } catch (IOException e) {
            throw new ClipRejected(RejectReason.READ_ERROR, "cannot resolve clip path: " + e.getClass().getSimpleName());
        }
    }

    private static ClipRejected outside(String detail) {
        return new ClipRejected(RejectReason.URI_OUTSIDE_LANDING, detail);
    }
}
