package dev.hailuo.server.http;

import dev.hailuo.server.http.ByteRange.Outcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ByteRangeTest {
    private static final long SIZE = 1000;

    private static Outcome resolve(String header) {
        return ByteRange.resolve(header, SIZE);
    }

    @Test
    void closedOpenAndSuffixRanges() {
        assertThat(resolve("bytes=0-99")).isEqualTo(new Outcome.Part(new ByteRange(0, 99)));
        assertThat(resolve("bytes=990-")).isEqualTo(new Outcome.Part(new ByteRange(990, 999)));
        assertThat(resolve("bytes=-100")).isEqualTo(new Outcome.Part(new ByteRange(900, 999)));
        assertThat(resolve("bytes=-5000")).isEqualTo(new Outcome.Part(new ByteRange(0, 999)));
        assertThat(resolve("bytes=0-99999999")).isEqualTo(new Outcome.Part(new ByteRange(0, 999)));
        assertThat(new ByteRange(0, 999).contentRange(SIZE)).isEqualTo("bytes 0-999/1000");
        assertThat(new ByteRange(10, 19).length()).isEqualTo(10);
    }

    @Test
    void rangesOutsideTheFileAreUnsatisfiable() {
        assertThat(resolve("bytes=1000-")).isInstanceOf(Outcome.Unsatisfiable.class);
        assertThat(resolve("bytes=99999999-")).isInstanceOf(Outcome.Unsatisfiable.class);
        assertThat(resolve("bytes=-0")).isInstanceOf(Outcome.Unsatisfiable.class);
        assertThat(ByteRange.resolve("bytes=0-", 0)).isInstanceOf(Outcome.Unsatisfiable.class);
    }

    @Test
    void whatCannotBeServedAsOneRangeIsIgnored() {
        assertThat(resolve(null)).isInstanceOf(Outcome.Whole.class);
        assertThat(resolve("bytes=5-2")).isInstanceOf(Outcome.Whole.class);
        assertThat(resolve("items=0-5")).isInstanceOf(Outcome.Whole.class);
        assertThat(resolve("bytes=0-1,5-6")).isInstanceOf(Outcome.Whole.class);
        assertThat(resolve("bytes=-")).isInstanceOf(Outcome.Whole.class);
        assertThat(resolve("bytes=abc-")).isInstanceOf(Outcome.Whole.class);
        assertThat(resolve("bytes=99999999999999999999-")).isInstanceOf(Outcome.Whole.class);
    }
}
