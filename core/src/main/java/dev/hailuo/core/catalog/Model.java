package dev.hailuo.core.catalog;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model as sold: its canonical id, what each front door calls it, what it accepts and what
 * it costs. Built from the catalog data file; never constructed by hand in production code.
 */
public record Model(
        String id,
        String displayName,
        String category,
        String rivyaId,
        Map<String, Mode> marketIds,
        String runsId,
        String upstreamModel,
        List<Mode> modes,
        int maxPromptLength,
        int maxReferenceImages,
        List<ParamSpec> params,
        List<Integer> durations,
        Map<Mode, List<String>> resolutions,
        List<Price> prices,
        ReferenceRules reference) {

    public Model {
        marketIds = Map.copyOf(marketIds);
        modes = List.copyOf(modes);
        params = List.copyOf(params);
        durations = List.copyOf(durations);
        resolutions = Map.copyOf(resolutions);
        prices = List.copyOf(prices);
    }

    /** What the Market calls this model in that mode (one id per mode, e.g. hailuo/02-image-to-video-pro). */
    public Optional<String> marketId(Mode mode) {
        return marketIds.entrySet().stream().filter(e -> e.getValue() == mode).map(Map.Entry::getKey).sorted().findFirst();
    }

    public Optional<ParamSpec> param(String key) {
        return params.stream().filter(p -> p.key().equals(key)).findFirst();
    }

    public Optional<Price> price(Mode mode, String resolution, int duration) {
        return prices.stream()
                .filter(p -> p.mode() == mode && p.resolution().equals(resolution) && p.duration() == duration)
                .findFirst();
    }

    /** The resolution used when the client names none: the first one the catalog lists for the mode. */
    public String defaultResolution(Mode mode) {
        return resolutions.get(mode).getFirst();
    }

    public int defaultDuration() {
        return durations.getFirst();
    }

    /** The price of a plain request (text-to-video, defaults): what catalogs call base credits. */
    public long baseCredits() {
        Mode mode = modes.getFirst();
        return price(mode, defaultResolution(mode), defaultDuration()).orElseThrow().credits();
    }
}
