package dev.hailuo.server.upstream;

import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.provider.Provider;
import dev.hailuo.server.config.ProviderConfig;
import dev.hailuo.server.upstream.fal.FalProvider;
import dev.hailuo.server.upstream.minimax.MiniMaxProvider;
import dev.hailuo.server.upstream.replicate.ReplicateProvider;
import dev.hailuo.server.upstream.sandbox.SandboxProvider;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns the provider configuration into adapters with their limits, plus the sandbox (always available to routes). */
public final class UpstreamSetup {
    /** The sandbox renders on this machine: its only limit is the render pool, so its budgets are effectively open. */
    static final int SANDBOX_PER_MINUTE = 60_000_000;

    private UpstreamSetup() {
    }

    /** @param minimaxCallback the public URL MiniMax pushes status changes to, when the gateway is reachable */
    public static Upstreams build(ProviderConfig config, SandboxProvider sandbox, UpstreamFactory factory, UpstreamHttp http,
                                  ImageInputs images, Catalog catalog, Clock clock, Optional<java.net.URI> minimaxCallback) {
        List<Upstream> all = new ArrayList<>();
        all.add(factory.createLocal(sandbox, SANDBOX_PER_MINUTE, SANDBOX_PER_MINUTE, Integer.MAX_VALUE));
        for (ProviderConfig.Account account : config.accounts()) {
            Provider provider = switch (account.name()) {
                case "minimax" -> new MiniMaxProvider(http, account.baseUrl(), account.apiKey(), catalog, images, minimaxCallback);
                case "fal" -> new FalProvider(account.apiKey(), account.baseUrl(), http, images, clock);
                case "replicate" -> new ReplicateProvider(account.apiKey(), account.baseUrl(), http, images, clock);
                default -> throw new IllegalArgumentException("no adapter for provider " + account.name());
            };
            all.add(factory.create(provider, account.submitsPerMinute(), account.pollsPerMinute(), account.maxInFlight()));
        }
        return new Upstreams(all, config.routes(), config.defaultRoute());
    }
}
