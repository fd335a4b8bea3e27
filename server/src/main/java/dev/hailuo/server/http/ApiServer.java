package dev.hailuo.server.http;

import dev.hailuo.core.error.GatewayException;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.List;
import java.util.function.Consumer;

/**
 * The HTTP server: Javalin on virtual threads, request ids, one access-log line per request
 * (path only: query strings can carry media signatures), and the mapping of every failure to a
 * JSON error, never an HTML page or a stack trace.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final Logger access = LoggerFactory.getLogger("access");

    private final Javalin app;

    /** Multipart parts are written to {@code uploadDir} past 64 KiB, so an upload never sits whole in memory. */
    public static final int UPLOAD_MEMORY_KIB = 64;

    public ApiServer(int port, long maxBodyBytes, long maxUploadBytes, java.nio.file.Path uploadDir, RequestIds requestIds,
                     Responses responses, List<Consumer<RoutesConfig>> modules) {
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            // Jetty's own all-virtual pool rather than Javalin's plain executor: being a TryExecutor, it lets
            // Jetty run a request on the thread that read it (and start another to go on reading) instead
            // of handing every request over; measured, a status read took less server CPU
            // (docs/benchmarks.md). 0: no cap on concurrent requests, as with Javalin's pool (long media
            // downloads and slow clients must not hold others up).
            VirtualThreadPool threads = new VirtualThreadPool();
            threads.setName("http");
            threads.setMaxConcurrentTasks(0);
            config.jetty.threadPool = threads;
            config.jetty.port = port;
            config.http.maxRequestSize = maxBodyBytes;
            config.jetty.multipartConfig.cacheDirectory(uploadDir.toString());
            config.jetty.multipartConfig.maxInMemoryFileSize(UPLOAD_MEMORY_KIB, io.javalin.config.SizeUnit.KB);
            // Slack over the largest kind so that the per-kind check, with its precise message, is the one that refuses.
            config.jetty.multipartConfig.maxFileSize(maxUploadBytes + 1024 * 1024, io.javalin.config.SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(maxUploadBytes + 2 * 1024 * 1024, io.javalin.config.SizeUnit.BYTES);
            // Answers are small JSON documents and MP4s: gzip saves nothing worth its cost per request.
            config.http.compressionStrategy = io.javalin.compression.CompressionStrategy.NONE;
            config.startup.showJavalinBanner = false;
            config.http.prefer405over404 = true;
            JettyErrors jettyErrors = new JettyErrors(requestIds);
            config.jetty.modifyServer(server -> server.setErrorHandler(jettyErrors.forServer()));
            config.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(jettyErrors.forServlets()));
            config.requestLogger.http((ctx, ms) -> {
                // The logger may run on another thread than the handler (streamed media): set the id again.
                MDC.put("requestId", RequestIds.of(ctx));
                access.info("{} {} {} {}ms", ctx.method(), ctx.path(), ctx.status().getCode(), Math.round(ms));
                MDC.remove("requestId");
            });
            config.routes.before(ctx -> MDC.put("requestId", requestIds.assign(ctx)));
            modules.forEach(module -> module.accept(config.routes));
            config.routes.exception(GatewayException.class, (e, ctx) -> fail(ctx, responses, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> fail(ctx, responses, Failures.of(e)));
            config.routes.exception(Exception.class, (e, ctx) -> fail(ctx, responses, Failures.ofBody(ctx, e).orElseGet(() -> {
                log.error("unhandled failure on {} {}", ctx.method(), ctx.path(), e);
                return Failures.internal();
            })));
        });
    }

    public ApiServer start() {
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    private static void fail(Context ctx, Responses responses, GatewayException e) {
        e.retryAfter().ifPresent(d -> ctx.header("Retry-After", String.valueOf(Guard.ceilSeconds(d))));
        responses.send(ctx, e.code().httpStatus(), ErrorBody.of(e, RequestIds.of(ctx)));
    }

    @Override
    public void close() {
        app.stop();
    }
}
