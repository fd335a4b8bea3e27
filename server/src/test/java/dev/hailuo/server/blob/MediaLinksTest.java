package dev.hailuo.server.blob;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MediaLinksTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
    private static final Instant NOW = Instant.parse("2026-05-10T10:20:00Z");

    private static Map<String, String> query(String url) {
        Map<String, String> out = new HashMap<>();
        for (String pair : URI.create(url).getQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(kv[0], kv[1]);
        }
        return out;
    }

    @Test
    void aLinkIsValidUntilItExpiresAndOnlyForItsKey() {
        MediaLinks links = new MediaLinks(SECRET, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(24), () -> "http://h");
        String url = links.url("results/task_a.mp4");
        assertThat(url).startsWith("http://h/media/results/task_a.mp4?expires=");
        Map<String, String> q = query(url);
        // Rounded up to the hour, at least the TTL away.
        long expires = Long.parseLong(q.get("expires"));
        assertThat(expires % 3600).isZero();
        assertThat(expires).isGreaterThanOrEqualTo(NOW.plus(Duration.ofHours(24)).getEpochSecond());

        assertThat(links.check("results/task_a.mp4", q.get("expires"), q.get("signature"))).isEqualTo(MediaLinks.Check.VALID);
        assertThat(links.check("results/task_b.mp4", q.get("expires"), q.get("signature"))).isEqualTo(MediaLinks.Check.INVALID);
        assertThat(links.check("results/task_a.mp4", String.valueOf(expires + 3600), q.get("signature")))
                .isEqualTo(MediaLinks.Check.INVALID);
        assertThat(links.check("results/task_a.mp4", "soon", q.get("signature"))).isEqualTo(MediaLinks.Check.INVALID);
        assertThat(links.check("results/task_a.mp4", null, null)).isEqualTo(MediaLinks.Check.INVALID);

        MediaLinks later = new MediaLinks(SECRET, Clock.fixed(Instant.ofEpochSecond(expires), ZoneOffset.UTC),
                Duration.ofHours(24), () -> "http://h");
        assertThat(later.check("results/task_a.mp4", q.get("expires"), q.get("signature"))).isEqualTo(MediaLinks.Check.EXPIRED);

        MediaLinks otherSecret = new MediaLinks("another-secret-another-secret-xx".getBytes(), Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofHours(24), () -> "http://h");
        assertThat(otherSecret.check("results/task_a.mp4", q.get("expires"), q.get("signature"))).isEqualTo(MediaLinks.Check.INVALID);
    }

    @Test
    void aShortLinkExpiresExactlyWhenAskedAndKeysAreReadBackFromOurUrlsOnly() {
        MediaLinks links = new MediaLinks(SECRET, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(24), () -> "http://h");
        String url = links.url("results/task_a.mp4", Duration.ofMinutes(20));
        Map<String, String> q = query(url);
        assertThat(Long.parseLong(q.get("expires"))).isEqualTo(NOW.getEpochSecond() + 20 * 60);
        assertThat(links.check("results/task_a.mp4", q.get("expires"), q.get("signature"))).isEqualTo(MediaLinks.Check.VALID);
        MediaLinks twentyMinutesLater = new MediaLinks(SECRET, Clock.fixed(NOW.plus(Duration.ofMinutes(20)), ZoneOffset.UTC),
                Duration.ofHours(24), () -> "http://h");
        assertThat(twentyMinutesLater.check("results/task_a.mp4", q.get("expires"), q.get("signature")))
                .isEqualTo(MediaLinks.Check.EXPIRED);

        assertThat(links.keyOf(url)).hasValue("results/task_a.mp4");
        assertThat(links.keyOf("http://h/media/uploads/file_x.png")).hasValue("uploads/file_x.png");
        assertThat(links.keyOf("http://h/media/")).isEmpty();
        assertThat(links.keyOf("http://other/media/results/task_a.mp4")).isEmpty();
        assertThat(links.keyOf("http://h/api/v1/credits")).isEmpty();
        assertThat(links.keyOf(null)).isEmpty();
    }
}
