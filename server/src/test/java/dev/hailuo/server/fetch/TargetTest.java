package dev.hailuo.server.fetch;

import dev.hailuo.server.fetch.FetchException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The URL rules, which run before any network access. */
class TargetTest {
    private static final FetchPolicy RESOURCES = FetchPolicy.defaults();
    private static final FetchPolicy ENDPOINTS = FetchPolicy.endpoints();

    @ParameterizedTest(name = "{0} is host {1}")
    @CsvSource({
            "http://2130706433/, 127.0.0.1",
            "http://0x7f.0.0.1/, 127.0.0.1",
            "http://0x7f.1/, 127.0.0.1",
            "http://0177.0.0.1/, 127.0.0.1",
            "http://017700000001/, 127.0.0.1",
            "http://127.1/, 127.0.0.1",
            "http://0x7F000001/, 127.0.0.1",
            "http://127.0.0.1./, 127.0.0.1",
            "http://0/, 0.0.0.0",
            "http://0xa9.0xfe.0xa9.0xfe/, 169.254.169.254",
            "http://3232235777/, 192.168.1.1",
            "http://8.8.8.8/, 8.8.8.8",
            "'http://[::ffff:127.0.0.1]/', ::ffff:127.0.0.1",
            "'http://[::1]:8080/', ::1",
            "http://Images.Example.COM/a.png, images.example.com",
            "http://a_b.example/, a_b.example",
            "http://1.2.3.example/, 1.2.3.example"})
    void readsHostsOneCanonicalWay(String url, String host) throws FetchException {
        assertThat(Target.parse(URI.create(url), RESOURCES).host()).isEqualTo(host);
    }

    @Test
    void canonicalUrlIsWhatGoesOnTheWire() throws FetchException {
        Target target = Target.parse(URI.create("HTTP://0x7f.1:8080/a%20b?q=1&r=%2F#part"), RESOURCES);
        assertThat(target.uri()).hasToString("http://127.0.0.1:8080/a%20b?q=1&r=%2F");
        assertThat(target.port()).isEqualTo(8080);
        assertThat(Target.parse(URI.create("https://example.com"), RESOURCES).uri())
                .hasToString("https://example.com/");
        assertThat(Target.parse(URI.create("https://example.com"), RESOURCES).port()).isEqualTo(443);
        assertThat(Target.parse(URI.create("http://[::1]:81/x"), RESOURCES).uri()).hasToString("http://[::1]:81/x");
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = {"ftp://example.com/a.png", "file:///etc/passwd", "gopher://example.com:70/_x",
            "javascript:alert(1)", "data:image/png;base64,AAAA", "jar:file:/x.jar!/a", "ws://example.com/"})
    void onlyHttpAndHttps(String url) {
        assertThatThrownBy(() -> Target.parse(URI.create(url), RESOURCES))
                .isInstanceOf(FetchException.class)
                .extracting(e -> ((FetchException) e).reason()).isEqualTo(Reason.SCHEME_NOT_ALLOWED);
    }

    @ParameterizedTest(name = "{0} is a bad URL")
    @ValueSource(strings = {"/relative/path", "http:opaque", "http:///nohost", "http://user:pw@example.com/",
            "http://user@example.com/", "http://1.2.3.4.5/", "http://256.1.1.1/", "http://09.1.1.1/",
            "http://0x100000000/", "http://1.256.0/", "http://example.com:0/", "http://example.com:70000/",
            "http://[fe80::1%25eth0]/"})
    void badUrls(String url) {
        assertThatThrownBy(() -> Target.parse(URI.create(url), RESOURCES))
                .isInstanceOf(FetchException.class)
                .extracting(e -> ((FetchException) e).reason()).isEqualTo(Reason.BAD_URL);
    }

    @Test
    void endpointsNeedHttpsAndNoFragment() throws FetchException {
        assertThat(reason(() -> Target.parse(URI.create("http://hooks.example/x"), ENDPOINTS)))
                .isEqualTo(Reason.SCHEME_NOT_ALLOWED);
        assertThat(reason(() -> Target.parse(URI.create("https://hooks.example/x#frag"), ENDPOINTS)))
                .isEqualTo(Reason.BAD_URL);
        assertThat(Target.parse(URI.create("https://hooks.example/x"), ENDPOINTS).host()).isEqualTo("hooks.example");
        // PRODUCT §8: the private-network switch also allows plain http for local webhook receivers.
        assertThat(Target.parse(URI.create("http://hooks.example/x"), ENDPOINTS.withAllowPrivateNetwork(true))
                .scheme()).isEqualTo("http");
        // Resources ignore fragments: they are never sent.
        assertThat(Target.parse(URI.create("http://images.example/a.png#x"), RESOURCES).uri())
                .hasToString("http://images.example/a.png");
    }

    @Test
    void redirectsResolveAgainstTheCurrentUrl() throws FetchException {
        Target current = Target.parse(URI.create("https://images.example/a/b/c.png?x=1"), RESOURCES);
        assertThat(current.redirect("d.png", RESOURCES).uri()).hasToString("https://images.example/a/b/d.png");
        assertThat(current.redirect("../e.png", RESOURCES).uri()).hasToString("https://images.example/a/e.png");
        assertThat(current.redirect("/f.png?y=2", RESOURCES).uri()).hasToString("https://images.example/f.png?y=2");
        assertThat(current.redirect("//cdn.example/g.png", RESOURCES).uri()).hasToString("https://cdn.example/g.png");
        assertThat(current.redirect("http://2130706433/", RESOURCES).host()).isEqualTo("127.0.0.1");
        assertThat(reason(() -> current.redirect("file:///etc/passwd", RESOURCES))).isEqualTo(Reason.SCHEME_NOT_ALLOWED);
        assertThat(reason(() -> current.redirect("http://exa mple/", RESOURCES))).isEqualTo(Reason.BAD_URL);
    }

    private interface Call {
        void run() throws FetchException;
    }

    private static Reason reason(Call call) {
        try {
            call.run();
        } catch (FetchException e) {
            return e.reason();
        }
        throw new AssertionError("expected a FetchException");
    }
}
