package dev.hailuo.core.catalog;

import java.util.Arrays;
import java.util.Optional;

/** What a generation starts from. The wire names are shared by every front door and the catalog file. */
public enum Mode {
    TEXT_TO_VIDEO("text-to-video"),
    IMAGE_TO_VIDEO("image-to-video");

    private final String wireName;

    Mode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Mode> fromWire(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }
}
