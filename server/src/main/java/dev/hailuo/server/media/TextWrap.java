package dev.hailuo.server.media;

import java.awt.FontMetrics;
import java.util.ArrayList;
import java.util.List;

/** Greedy word wrap for the prompt overlay. */
final class TextWrap {
    static final String ELLIPSIS = "\u2026";

    private TextWrap() {
    }

    /**
     * Splits {@code text} into at most {@code maxLines} lines no wider than {@code maxWidth}; whitespace (including
     * newlines and control characters a client may send) collapses to single spaces, words too long for a line are
     * broken between characters, and text that does not fit ends in an ellipsis.
     */
    static List<String> wrap(String text, FontMetrics metrics, int maxWidth, int maxLines) {
        String normalized = text.replaceAll("[\\s\\p{Cntrl}]+", " ").strip();
        List<String> lines = new ArrayList<>();
        if (normalized.isEmpty()) {
            return lines;
        }
        StringBuilder line = new StringBuilder();
        for (String word : normalized.split(" ")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (metrics.stringWidth(candidate) <= maxWidth) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            if (!line.isEmpty()) {
                lines.add(line.toString());
                line.setLength(0);
            }
            // A word wider than the line (a URL, or CJK text without spaces) is broken where it overflows.
            int start = 0;
            for (int i = 0; i < word.length(); i = word.offsetByCodePoints(i, 1)) {
                int next = word.offsetByCodePoints(i, 1);
                if (i > start && metrics.stringWidth(word.substring(start, next)) > maxWidth) {
                    lines.add(word.substring(start, i));
                    start = i;
                }
            }
            line.append(word, start, word.length());
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        if (lines.size() <= maxLines) {
            return lines;
        }
        List<String> kept = new ArrayList<>(lines.subList(0, maxLines));
        kept.set(maxLines - 1, withEllipsis(kept.get(maxLines - 1), metrics, maxWidth));
        return kept;
    }

    private static String withEllipsis(String line, FontMetrics metrics, int maxWidth) {
        String cut = line;
        while (!cut.isEmpty() && metrics.stringWidth(cut + ELLIPSIS) > maxWidth) {
            cut = cut.substring(0, cut.offsetByCodePoints(cut.length(), -1)).stripTrailing();
        }
        return cut + ELLIPSIS;
    }
}
