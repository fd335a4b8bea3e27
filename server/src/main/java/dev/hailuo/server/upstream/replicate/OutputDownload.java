package dev.hailuo.server.upstream.replicate;

import dev.hailuo.core.provider.PollResult.ResultSource;
import dev.hailuo.server.upstream.UpstreamHttp;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Set;

/**
 * A finished prediction's video. Output files are served from short-lived delivery URLs
 * (reference section 3: deleted an hour after an API prediction), so a URL refused as expired
 * is looked up once more from the prediction before giving up; a second refusal means the
 * file is gone, and the IOException says so.
 */
final class OutputDownload implements ResultSource {
    /** What a delivery host answers for a URL that expired or whose file was deleted. */
    static final Set<Integer> EXPIRED = Set.of(403, 404, 410);

    /** Looks up the prediction again for its current output URL. */
    @FunctionalInterface
    interface Resolver {
        URI freshOutput(String predictionId) throws IOException;
    }

    private final UpstreamHttp http;
    private final String predictionId;
    private final URI output;
    private final Resolver resolver;

    OutputDownload(UpstreamHttp http, String predictionId, URI output, Resolver resolver) {
        this.http = http;
        this.predictionId = predictionId;
        this.output = output;
        this.resolver = resolver;
    }

    @Override
    public InputStream open() throws IOException {
        try {
            return http.download(output);
        } catch (UpstreamHttp.DownloadRefused refused) {
            if (!EXPIRED.contains(refused.status())) {
                throw refused;
            }
            URI fresh = resolver.freshOutput(predictionId);
            try {
                return http.download(fresh);
            } catch (UpstreamHttp.DownloadRefused again) {
                throw new IOException("the output of prediction " + predictionId + " was refused twice (HTTP "
                        + refused.status() + ", then HTTP " + again.status() + " after looking it up again)", again);
            }
        }
    }
}
