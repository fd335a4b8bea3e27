package dev.hailuo.server.media;

import java.awt.Color;
import java.util.SplittableRandom;

/**
 * The seed-derived look of one clip, so different tasks are told apart at a glance and one spec always renders the
 * same.
 *
 * @param motionPhase in [0, 1): where in its cycle the motion starts
 */
record Palette(Color backgroundFrom, Color backgroundTo, Color accent, double motionPhase) {
    static Palette fromSeed(long seed) {
        // SplittableRandom's sequence for a seed is specified, so the colours are stable across JDKs and runs.
        SplittableRandom random = new SplittableRandom(seed);
        float hue = (float) random.nextDouble();
        float spread = 0.2f + 0.3f * (float) random.nextDouble();
        // Dark, saturated backgrounds keep white text readable whatever the hue.
        Color from = Color.getHSBColor(hue, 0.65f, 0.50f);
        Color to = Color.getHSBColor((hue + spread) % 1f, 0.75f, 0.28f);
        Color accent = Color.getHSBColor((hue + 0.5f) % 1f, 0.55f, 0.95f);
        return new Palette(from, to, accent, random.nextDouble());
    }
}
