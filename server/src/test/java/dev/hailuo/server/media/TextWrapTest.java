package dev.hailuo.server.media;

import org.junit.jupiter.api.Test;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TextWrapTest {
    private final FontMetrics metrics = metrics();

    @Test
    void wrapsAtWordsWithinTheWidth() {
        int max = width("quick brown");
        List<String> lines = TextWrap.wrap("the quick brown fox jumps over the lazy dog", metrics, max, 10);

        assertThat(lines).hasSizeGreaterThan(2);
        assertThat(String.join(" ", lines)).isEqualTo("the quick brown fox jumps over the lazy dog");
        assertThat(lines).allSatisfy(line -> assertThat(metrics.stringWidth(line)).isLessThanOrEqualTo(max));
    }

    @Test
    void collapsesWhitespaceAndControlCharacters() {
        assertThat(TextWrap.wrap("  a\n\tb\u0000c  ", metrics, 1000, 3)).containsExactly("a b c");
        assertThat(TextWrap.wrap(" \n ", metrics, 1000, 3)).isEmpty();
    }

    @Test
    void breaksWordsLongerThanALine() {
        String word = "x".repeat(200);
        int max = width("xxxxxxxxxx");
        List<String> lines = TextWrap.wrap(word, metrics, max, 100);

        assertThat(String.join("", lines)).isEqualTo(word);
        assertThat(lines).allSatisfy(line -> assertThat(metrics.stringWidth(line)).isLessThanOrEqualTo(max));
    }

    @Test
    void endsWithAnEllipsisWhenTextDoesNotFit() {
        List<String> lines = TextWrap.wrap("one two three four five six seven eight nine ten", metrics,
                width("three four"), 2);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).endsWith(TextWrap.ELLIPSIS);
        assertThat(metrics.stringWidth(lines.get(1))).isLessThanOrEqualTo(width("three four"));
    }

    private int width(String text) {
        return metrics.stringWidth(text);
    }

    private static FontMetrics metrics() {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return g.getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        } finally {
            g.dispose();
        }
    }
}
