package dev.clipcurate.pipeline.testing;

/** What a mask changed in a written frame: BGR pixels of the decoded frame against the JPEG written from it. */
public final class PixelChanges {
    /** A pixel counts as changed when a channel moved by more than re-encoding moves it. */
    public static final int CHANGED = 48;

    private PixelChanges() {}

    /** Whether the pixel starting at byte {@code p} of two BGR buffers differs by more than {@link #CHANGED}. */
    public static boolean changed(byte[] a, byte[] b, int p) {
        int d = 0;
        for (int c = 0; c < 3; c++) d = Math.max(d, Math.abs((a[p + c] & 0xFF) - (b[p + c] & 0xFF)));
        return d > CHANGED;
    }
}
