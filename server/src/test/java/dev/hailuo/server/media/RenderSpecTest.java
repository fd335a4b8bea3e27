package dev.hailuo.server.media;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RenderSpecTest {
    @Test
    void frameCountIsRoundedDurationTimesFps() {
        assertThat(RenderSpec.of(256, 144, 6, "p", 0).frameCount()).isEqualTo(150);
        assertThat(RenderSpec.of(256, 144, 10, "p", 0).frameCount()).isEqualTo(250);
        assertThat(new RenderSpec(256, 144, 24, 5.02, "p", 0, null, null).frameCount()).isEqualTo(120);
    }

    @Test
    void rejectsOddSizesWhichJCodecCannotEncode() {
        assertThatThrownBy(() -> RenderSpec.of(255, 144, 6, "p", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width");
        assertThatThrownBy(() -> RenderSpec.of(256, 143, 6, "p", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("height");
    }

    @Test
    void rejectsDurationsWithoutAFrameAndOutOfRangeValues() {
        assertThatThrownBy(() -> RenderSpec.of(256, 144, 0.01, "p", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RenderSpec.of(256, 144, 0, "p", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RenderSpec.of(256, 144, Double.NaN, "p", 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RenderSpec.of(8, 144, 6, "p", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RenderSpec(256, 144, 0, 6, "p", 0, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RenderSpec.of(256, 144, 6, null, 0)).isInstanceOf(NullPointerException.class);
    }
}
