package dev.clipcurate.pipeline.evaluation;

import dev.clipcurate.pipeline.privacy.FaceBox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** ViSP's face boxes of the 1927 Solvay conference photo (Debian visp-images-data; scripts/fetch-face-eval). */
public final class SolvayTruth {
    private SolvayTruth() {}

    /**
     * ViSP's format: a name line, then four corners as "row col". detection_0 is a false detection of ViSP's own
     * (a stone pillar, not a face) and is left out.
     */
    public static List<FaceBox> read(Path file) throws Exception {
        if (!Files.exists(file)) throw new IllegalArgumentException(file + " is missing: run scripts/fetch-face-eval");
        List<String> lines = Files.readAllLines(file).stream().map(String::trim).filter(l -> !l.isEmpty()).toList();
        List<FaceBox> boxes = new ArrayList<>();
        for (int i = 0; i + 4 < lines.size() + 1; i += 5) {
            if (lines.get(i).equals("detection_0")) continue;
            double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = 0, maxY = 0;
            for (int k = 1; k <= 4; k++) {
                String[] rc = lines.get(i + k).split("\\s+");
                double y = Double.parseDouble(rc[0]), x = Double.parseDouble(rc[1]);
                minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
            }
            boxes.add(new FaceBox(minX, minY, maxX - minX, maxY - minY, 1f));
        }
        return boxes;
    }
}
