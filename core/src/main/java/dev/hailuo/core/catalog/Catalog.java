package dev.hailuo.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The models for sale, read from {@code /catalog/models.json}: the catalog is data, not code. */
public final class Catalog {
    public static final String RESOURCE = "/catalog/models.json";

    private final List<Model> models;
    /** By canonical id: every status answer names its model, so this lookup is on the hottest path. */
    private final Map<String, Model> byId = new HashMap<>();

    public Catalog(List<Model> models) {
        this.models = List.copyOf(models);
        this.models.forEach(m -> byId.putIfAbsent(m.id(), m));
    }

    public static Catalog load() {
        try (InputStream in = Catalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("catalog resource " + RESOURCE + " is missing from the classpath");
            }
            return parse(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    public List<Model> all() {
        return models;
    }

    public Optional<Model> byId(String canonicalId) {
        return Optional.ofNullable(byId.get(canonicalId));
    }

    /** The model a front door's model name refers to, if any. */
    public Optional<Model> byAlias(Door door, String name) {
        return models.stream().filter(m -> switch (door) {
            case RIVYA -> m.rivyaId().equals(name);
            case MARKET -> m.marketIds().containsKey(name);
            case RUNS -> m.runsId().equals(name);
        }).findFirst();
    }

    private static Catalog parse(JsonNode root) {
        List<Model> models = new ArrayList<>();
        for (JsonNode m : root.path("models")) {
            Map<String, Mode> marketIds = new LinkedHashMap<>();
            m.path("aliases").path("market").properties()
                    .forEach(e -> marketIds.put(e.getKey(), mode(e.getValue().asText())));
            List<ParamSpec> params = new ArrayList<>();
            for (JsonNode p : m.path("params")) {
                List<String> options = new ArrayList<>();
                p.path("options").forEach(o -> options.add(o.asText()));
                params.add(new ParamSpec(p.path("key").asText(), p.path("type").asText(),
                        p.hasNonNull("default") ? p.get("default").asText() : null, options,
                        p.path("description").asText()));
            }
            Map<Mode, List<String>> resolutions = new EnumMap<>(Mode.class);
            m.path("resolutions").properties().forEach(e -> {
                List<String> values = new ArrayList<>();
                e.getValue().forEach(v -> values.add(v.asText()));
                resolutions.put(mode(e.getKey()), values);
            });
            List<Price> prices = new ArrayList<>();
            for (JsonNode p : m.path("prices")) {
                prices.add(new Price(mode(p.path("mode").asText()), p.path("resolution").asText(),
                        p.path("duration").asInt(), p.path("credits").asLong()));
            }
            List<Mode> modes = new ArrayList<>();
            m.path("modes").forEach(v -> modes.add(mode(v.asText())));
            JsonNode ref = m.path("reference");
            List<dev.hailuo.core.files.FileKind> kinds = new ArrayList<>();
            ref.path("kinds").forEach(k -> kinds.add(dev.hailuo.core.files.FileKind.fromWire(k.asText())
                    .orElseThrow(() -> new IllegalStateException("catalog names unknown file kind " + k.asText()))));
            ReferenceRules reference = new ReferenceRules(kinds, ref.path("min_short_side_exclusive").asInt(),
                    ratio(ref.path("aspect_min").asText()), ratio(ref.path("aspect_max").asText()));
            List<Integer> durations = new ArrayList<>();
            m.path("durations").forEach(v -> durations.add(v.asInt()));
            models.add(new Model(
                    m.path("id").asText(), m.path("display_name").asText(), m.path("category").asText(),
                    m.path("aliases").path("rivya").asText(), marketIds, m.path("aliases").path("runs").asText(),
                    m.path("upstream").path("model").asText(), modes,
                    m.path("max_prompt_length").asInt(), m.path("max_reference_images").asInt(),
                    params, durations, resolutions, prices, reference));
        }
        return new Catalog(models);
    }

    private static int[] ratio(String text) {
        String[] parts = text.split(":");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    private static Mode mode(String wire) {
        return Mode.fromWire(wire).orElseThrow(() -> new IllegalStateException("catalog names unknown mode " + wire));
    }
}
