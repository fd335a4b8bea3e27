package dev.hailuo.core.catalog;

import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.files.FileKind;

import java.util.List;

/**
 * What a model accepts as reference media (from the catalog): the kinds, and for images the
 * smallest short side and the aspect-ratio window (MiniMax: short side over 300 px, between
 * 2:5 and 5:2). Aspect bounds are compared in integers, so 2:5 exactly is allowed.
 */
public record ReferenceRules(List<FileKind> kinds, int minShortSideExclusive, int[] aspectMin, int[] aspectMax) {

    public ReferenceRules {
        kinds = List.copyOf(kinds);
        aspectMin = aspectMin.clone();
        aspectMax = aspectMax.clone();
    }

    public void checkKind(FileKind kind, String modelName, String field) {
        if (!kinds.contains(kind)) {
            throw GatewayException.validation(field + ": " + modelName + " accepts only "
                    + String.join(", ", kinds.stream().map(FileKind::wireName).toList()) + " references, not "
                    + kind.wireName() + ".");
        }
    }

    public void checkImage(int width, int height, String modelName, String field) {
        int shortSide = Math.min(width, height);
        if (shortSide <= minShortSideExclusive) {
            throw GatewayException.validation(field + ": " + modelName + " needs images whose short side is over "
                    + minShortSideExclusive + " px; this one is " + width + "x" + height + ".");
        }
        // width/height >= min  <=>  width * minH >= height * minW (no floating point at the edges).
        boolean tooTall = (long) width * aspectMin[1] < (long) height * aspectMin[0];
        boolean tooWide = (long) width * aspectMax[1] > (long) height * aspectMax[0];
        if (tooTall || tooWide) {
            throw GatewayException.validation(field + ": " + modelName + " needs an aspect ratio between "
                    + aspectMin[0] + ":" + aspectMin[1] + " and " + aspectMax[0] + ":" + aspectMax[1] + "; this image is "
                    + width + "x" + height + ".");
        }
    }
}
