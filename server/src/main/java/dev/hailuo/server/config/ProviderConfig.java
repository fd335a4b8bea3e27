package dev.hailuo.server.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstream provider accounts and routes, from the environment:
 * <ul>
 *   <li>{@code HAILUO_MINIMAX_API_KEY} (+ {@code HAILUO_MINIMAX_BASE_URL}, default the international host),
 *       {@code HAILUO_FAL_KEY} (+ {@code HAILUO_FAL_BASE_URL}), {@code HAILUO_REPLICATE_API_TOKEN}
 *       (+ {@code HAILUO_REPLICATE_BASE_URL}): a provider is configured when its key is set;</li>
 *   <li>{@code HAILUO_<P>_SUBMITS_PER_MINUTE}, {@code HAILUO_<P>_POLLS_PER_MINUTE},
 *       {@code HAILUO_<P>_MAX_IN_FLIGHT}: the limits of that provider account;</li>
 *   <li>{@code HAILUO_ROUTES}: {@code model=p1,p2;model=p1}, e.g.
 *       {@code hailuo-02-pro=minimax,fal;hailuo-02-standard=minimax}. Without it every model
 *       goes to the configured providers in the order minimax, fal, replicate, and to the
 *       sandbox when none is configured.</li>
 *   <li>{@code HAILUO_BREAKER_OPEN_SECONDS} (default 30): how long a provider is left alone
 *       after an operator fault or too many errors before one trial call.</li>
 * </ul>
 */
public record ProviderConfig(List<Account> accounts, Map<String, List<String>> routes, List<String> defaultRoute,
                             java.time.Duration breakerOpen) {

    public static final String SANDBOX = "sandbox";

    /** One provider account. */
    public record Account(String name, String apiKey, URI baseUrl, int submitsPerMinute, int pollsPerMinute, int maxInFlight) {
        @Override
        public String toString() {
            return "Account[" + name + " at " + baseUrl + "]"; // never the key
        }
    }

    private record Known(String name, String keyVariable, String defaultBaseUrl, int submitsPerMinute, int pollsPerMinute,
                         int maxInFlight) {
    }

    /** Defaults from the providers' documentation: MiniMax allows 5 video submissions per minute. */
    private static final List<Known> KNOWN = List.of(
            new Known("minimax", "HAILUO_MINIMAX_API_KEY", "https://api.minimax.io", 5, 300, 20),
            new Known("fal", "HAILUO_FAL_KEY", "https://queue.fal.run", 60, 600, 20),
            new Known("replicate", "HAILUO_REPLICATE_API_TOKEN", "https://api.replicate.com", 60, 600, 20));

    public static ProviderConfig fromEnvironment(Map<String, String> env) {
        List<Account> accounts = new ArrayList<>();
        for (Known k : KNOWN) {
            String key = env.get(k.keyVariable());
            if (key == null || key.isBlank()) {
                continue;
            }
            String prefix = "HAILUO_" + k.name().toUpperCase() + "_";
            accounts.add(new Account(k.name(), key.trim(), baseUrl(env, prefix + "BASE_URL", k.defaultBaseUrl()),
                    positive(env, prefix + "SUBMITS_PER_MINUTE", k.submitsPerMinute()),
                    positive(env, prefix + "POLLS_PER_MINUTE", k.pollsPerMinute()),
                    positive(env, prefix + "MAX_IN_FLIGHT", k.maxInFlight())));
        }
        List<String> configured = new ArrayList<>(accounts.stream().map(Account::name).toList());
        List<String> defaultRoute = configured.isEmpty() ? List.of(SANDBOX) : List.copyOf(configured);
        Map<String, List<String>> routes = new LinkedHashMap<>();
        String spec = env.get("HAILUO_ROUTES");
        if (spec != null && !spec.isBlank()) {
            for (String entry : spec.split(";")) {
                String[] parts = entry.split("=", 2);
                if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                    throw new ConfigException("HAILUO_ROUTES must look like \"model=provider,provider;model=provider\", got \""
                            + entry + "\"");
                }
                List<String> route = new ArrayList<>();
                for (String name : parts[1].split(",")) {
                    String provider = name.trim();
                    if (!provider.equals(SANDBOX) && !configured.contains(provider)) {
                        throw new ConfigException("HAILUO_ROUTES names provider \"" + provider + "\" for " + parts[0].trim()
                                + ", which is not configured (configured: " + String.join(", ", configured) + ", sandbox)");
                    }
                    route.add(provider);
                }
                routes.put(parts[0].trim(), List.copyOf(route));
            }
        }
        return new ProviderConfig(List.copyOf(accounts), Map.copyOf(routes), defaultRoute,
                java.time.Duration.ofSeconds(positive(env, "HAILUO_BREAKER_OPEN_SECONDS", 30)));
    }

    private static URI baseUrl(Map<String, String> env, String name, String fallback) {
        String value = env.getOrDefault(name, fallback).trim();
        URI uri;
        try {
            uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + " is not a URL: \"" + value + "\"");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new ConfigException(name + " must be an http(s) URL with a host, got \"" + value + "\"");
        }
        return uri;
    }

    private static int positive(Map<String, String> env, String name, int fallback) {
        String raw = env.get(name);
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < 1) {
                throw new ConfigException(name + " must be at least 1, got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got \"" + raw + "\"");
        }
    }
}
