package dev.hailuo.core.files;

import java.util.Arrays;
import java.util.Optional;

/** What an uploaded file is, by its content. */
public enum FileKind {
    IMAGE, VIDEO, AUDIO;

    public String wireName() {
        return name().toLowerCase();
    }

    public static Optional<FileKind> fromWire(String name) {
        return Arrays.stream(values()).filter(k -> k.wireName().equals(name)).findFirst();
    }
}
