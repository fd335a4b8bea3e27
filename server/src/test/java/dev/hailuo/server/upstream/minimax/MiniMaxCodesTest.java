package dev.hailuo.server.upstream.minimax;

import dev.hailuo.server.upstream.minimax.MiniMaxCodes.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class MiniMaxCodesTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "1000, RETRYABLE", "1001, RETRYABLE", "1002, RETRYABLE", "1024, RETRYABLE", "1033, RETRYABLE", "1039, RETRYABLE",
            "1013, RETRYABLE", "1041, RETRYABLE", "2045, RETRYABLE",
            "2013, INVALID_REQUEST", "1042, INVALID_REQUEST",
            "1026, CONTENT", "1027, CONTENT",
            "1004, OPERATOR", "2049, OPERATOR", "1008, OPERATOR", "1028, OPERATOR", "1030, OPERATOR", "2038, OPERATOR",
            "2056, OPERATOR", "2061, OPERATOR",
            "9999, RETRYABLE",
    })
    void everyDocumentedCodeHasItsClass(int code, Kind kind) {
        assertThat(MiniMaxCodes.classify(code)).isEqualTo(kind);
    }

    @ParameterizedTest
    @CsvSource({"1002, true", "1039, true", "2045, true", "1000, false", "1033, false"})
    void rateLimitsWaitForASlot(int code, boolean rateLimit) {
        assertThat(MiniMaxCodes.isRateLimit(code)).isEqualTo(rateLimit);
    }
}
