package dev.hailuo.server.fetch;

import dev.hailuo.core.error.GatewayException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Endpoint URLs as stored for later calls: the URL rules, literal addresses and localhost names, and no DNS. */
class EndpointUrlsTest {
    private final EndpointUrls production = new EndpointUrls(FetchPolicy.endpoints());
    private final EndpointUrls development = new EndpointUrls(FetchPolicy.endpoints().withAllowPrivateNetwork(true));

    @Test
    void publicHttpsEndpointsPassWithoutAnyLookup() {
        assertThatCode(() -> production.check("https://your-domain.com/api/callback", "callBackUrl")).doesNotThrowAnyException();
        // .invalid never resolves (RFC 6761): the name is checked when the endpoint is called, not here.
        assertThatCode(() -> production.check("https://hooks.example.invalid:8443/cb?x=1", "callBackUrl")).doesNotThrowAnyException();
        assertThatCode(() -> production.check("https://8.8.8.8/cb", "callBackUrl")).doesNotThrowAnyException();
    }

    @Test
    void privateAddressesAndPlainHttpPassOnlyWhileThePrivateNetworkIsAllowed() {
        for (String url : new String[] {"http://example.com/cb", "https://127.0.0.1:9000/cb", "https://[fd00::1]/cb",
                "https://localhost/cb", "https://api.localhost/cb", "https://0x7f.1/cb"}) {
            assertThatThrownBy(() -> production.check(url, "callBackUrl")).as(url)
                    .isInstanceOf(GatewayException.class).hasMessageStartingWith("callBackUrl: ");
            assertThatCode(() -> development.check(url, "callBackUrl")).as(url).doesNotThrowAnyException();
        }
    }

    @Test
    void malformedUrlsAreRefusedEverywhere() {
        for (String url : new String[] {"", "not a url", "/relative", "ftp://example.com/cb", "https://u:p@example.com/cb",
                "https://example.com/cb#frag", "https://example.com:70000/cb", "https://" + "a".repeat(2048) + ".com/"}) {
            assertThatThrownBy(() -> development.check(url, "callBackUrl")).as(url)
                    .isInstanceOf(GatewayException.class).hasMessageStartingWith("callBackUrl: ");
        }
    }

    @Test
    void onlyAnEndpointPolicyWillDo() {
        assertThatThrownBy(() -> new EndpointUrls(FetchPolicy.defaults())).isInstanceOf(IllegalArgumentException.class);
    }
}
