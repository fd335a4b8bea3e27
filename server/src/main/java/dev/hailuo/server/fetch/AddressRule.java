package dev.hailuo.server.fetch;

import java.net.InetAddress;
import java.util.Optional;

/** Decides whether the fetcher may connect to one resolved address. A seam so tests can prove each hop is checked. */
@FunctionalInterface
interface AddressRule {
    /** Public unicast only: the production rule. */
    AddressRule PUBLIC_ONLY = AddressRules::whyNotPublic;
    /** Anything goes: {@code HAILUO_ALLOW_PRIVATE_NETWORK=true}, development and tests only. */
    AddressRule ANY = address -> Optional.empty();

    /** Why the address may not be contacted, as a phrase completing "which is ..."; empty when it may. */
    Optional<String> refusal(InetAddress address);
}
