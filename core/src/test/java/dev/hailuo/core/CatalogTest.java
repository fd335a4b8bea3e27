package dev.hailuo.core;

import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.catalog.Model;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogTest {
    private final Catalog catalog = Catalog.load();

    @Test
    void everyAliasOfEveryDoorResolvesToItsModel() {
        Model pro = catalog.byId("hailuo-02-pro").orElseThrow();
        assertThat(catalog.byAlias(Door.RIVYA, "hailuo-pro")).contains(pro);
        assertThat(catalog.byAlias(Door.MARKET, "hailuo/02-text-to-video-pro")).contains(pro);
        assertThat(catalog.byAlias(Door.MARKET, "hailuo/02-image-to-video-pro")).contains(pro);
        assertThat(catalog.byAlias(Door.RUNS, "hailuo/pro")).contains(pro);
        Model standard = catalog.byId("hailuo-02-standard").orElseThrow();
        assertThat(catalog.byAlias(Door.RIVYA, "hailuo-standard")).contains(standard);
        assertThat(catalog.byAlias(Door.MARKET, "hailuo/02-text-to-video-standard")).contains(standard);
        assertThat(catalog.byAlias(Door.MARKET, "hailuo/02-image-to-video-standard")).contains(standard);
        assertThat(catalog.byAlias(Door.RUNS, "hailuo/standard")).contains(standard);
        assertThat(standard.marketIds().get("hailuo/02-image-to-video-standard")).isEqualTo(Mode.IMAGE_TO_VIDEO);
        // The way back, for tasks shown by a door other than the one that created them.
        assertThat(pro.marketId(Mode.TEXT_TO_VIDEO)).hasValue("hailuo/02-text-to-video-pro");
        assertThat(pro.marketId(Mode.IMAGE_TO_VIDEO)).hasValue("hailuo/02-image-to-video-pro");
        assertThat(standard.marketId(Mode.TEXT_TO_VIDEO)).hasValue("hailuo/02-text-to-video-standard");
        assertThat(standard.marketId(Mode.IMAGE_TO_VIDEO)).hasValue("hailuo/02-image-to-video-standard");
    }

    @Test
    void aliasesOfOneDoorAreNotAcceptedByAnother() {
        assertThat(catalog.byAlias(Door.RIVYA, "hailuo/pro")).isEmpty();
        assertThat(catalog.byAlias(Door.RUNS, "hailuo-pro")).isEmpty();
        assertThat(catalog.byAlias(Door.MARKET, "hailuo-pro")).isEmpty();
    }

    @Test
    void pricesAreThoseOfTheProductTable() {
        Model pro = catalog.byId("hailuo-02-pro").orElseThrow();
        assertThat(pro.baseCredits()).isEqualTo(57);
        assertThat(pro.price(Mode.IMAGE_TO_VIDEO, "1080P", 6).orElseThrow().credits()).isEqualTo(57);
        assertThat(pro.price(Mode.TEXT_TO_VIDEO, "1080P", 10)).isEmpty();
        Model standard = catalog.byId("hailuo-02-standard").orElseThrow();
        assertThat(standard.baseCredits()).isEqualTo(30);
        assertThat(standard.price(Mode.TEXT_TO_VIDEO, "768P", 10).orElseThrow().credits()).isEqualTo(50);
        assertThat(standard.price(Mode.IMAGE_TO_VIDEO, "512P", 6).orElseThrow().credits()).isEqualTo(12);
        assertThat(standard.price(Mode.IMAGE_TO_VIDEO, "512P", 10).orElseThrow().credits()).isEqualTo(20);
        assertThat(standard.price(Mode.IMAGE_TO_VIDEO, "768P", 6).orElseThrow().credits()).isEqualTo(30);
        assertThat(standard.price(Mode.TEXT_TO_VIDEO, "512P", 6)).isEmpty();
        assertThat(standard.defaultResolution(Mode.TEXT_TO_VIDEO)).isEqualTo("768P");
        assertThat(standard.defaultResolution(Mode.IMAGE_TO_VIDEO)).isEqualTo("512P");
    }
}
