package dev.hailuo.server.upstream.minimax;

import java.util.Locale;
import java.util.Optional;

/**
 * A MiniMax video task's status. The query endpoint documents {@code Preparing}, {@code Queueing},
 * {@code Processing}, {@code Success}, {@code Fail}; its guide's prose writes {@code success} in
 * lower case; callbacks send {@code processing}, {@code success}, {@code failed}; some clients
 * check {@code Failed}. Every spelling is read here, case-insensitively, so the query and the
 * callback cannot disagree on what a word means.
 */
public enum MiniMaxStatus {
    PREPARING, QUEUEING, PROCESSING, SUCCESS, FAIL;

    /** Empty for a missing or unknown word (the caller decides what an unknown status means). */
    public static Optional<MiniMaxStatus> parse(String word) {
        if (word == null) {
            return Optional.empty();
        }
        return switch (word.trim().toLowerCase(Locale.ROOT)) {
            case "preparing" -> Optional.of(PREPARING);
            case "queueing", "queuing" -> Optional.of(QUEUEING);
            case "processing" -> Optional.of(PROCESSING);
            case "success" -> Optional.of(SUCCESS);
            case "fail", "failed" -> Optional.of(FAIL);
            default -> Optional.empty();
        };
    }

    public boolean finished() {
        return this == SUCCESS || this == FAIL;
    }
}
