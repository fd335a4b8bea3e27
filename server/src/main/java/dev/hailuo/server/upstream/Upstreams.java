package dev.hailuo.server.upstream;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured providers and the route of each model: an ordered list of provider names,
 * tried in order (PRODUCT.md section 10).
 */
public final class Upstreams {
    private final Map<String, Upstream> byName = new LinkedHashMap<>();
    private final Map<String, List<String>> routes;
    private final List<String> defaultRoute;

    public Upstreams(List<Upstream> upstreams, Map<String, List<String>> routes, List<String> defaultRoute) {
        upstreams.forEach(u -> byName.put(u.name(), u));
        this.routes = Map.copyOf(routes);
        this.defaultRoute = List.copyOf(defaultRoute);
        for (List<String> route : this.routes.values()) {
            route.forEach(this::require);
        }
        this.defaultRoute.forEach(this::require);
    }

    public List<String> route(String modelId) {
        return routes.getOrDefault(modelId, defaultRoute);
    }

    public Optional<Upstream> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<Upstream> all() {
        return List.copyOf(byName.values());
    }

    /** Each provider's status reads available right now, for the dispatcher's claim. */
    public Map<String, Integer> pollRoom() {
        Map<String, Integer> room = new LinkedHashMap<>();
        byName.forEach((name, upstream) -> room.put(name, upstream.pollRoom()));
        return room;
    }

    private void require(String name) {
        if (!byName.containsKey(name)) {
            throw new IllegalArgumentException("route names provider \"" + name + "\", which is not configured");
        }
    }
}
