package dev.hailuo.server.http;

import dev.hailuo.core.error.ErrorCode;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Errors Jetty raises before a request reaches Javalin (malformed percent-encoding, illegal
 * header bytes, bad Content-Length, oversized headers) answered in the same JSON envelope as
 * everything else, instead of Jetty's HTML page. Jetty has two layers with their own error
 * handler (the server, and the servlet context), hence two small subclasses sharing one body.
 */
final class JettyErrors {
    private static final String REQUEST_ID = JettyErrors.class.getName() + ".requestId";

    private final RequestIds requestIds;

    JettyErrors(RequestIds requestIds) {
        this.requestIds = requestIds;
    }

    ErrorHandler forServer() {
        return new ErrorHandler() {
            @Override
            protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String type,
                                                         List<Charset> charsets, int code, String message, Throwable cause)
                    throws IOException {
                return super.generateAcceptableResponse(request, response, callback, json(request, response), UTF8, code, message, cause);
            }

            @Override
            protected void writeErrorJson(Request request, PrintWriter writer, int code, String message, Throwable cause) {
                writer.write(body(request, code, message));
            }

            @Override
            public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
                return badMessage(status, reason, fields);
            }
        };
    }

    org.eclipse.jetty.ee10.servlet.ErrorHandler forServlets() {
        return new org.eclipse.jetty.ee10.servlet.ErrorHandler() {
            @Override
            protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String type,
                                                         List<Charset> charsets, int code, String message, Throwable cause)
                    throws IOException {
                return super.generateAcceptableResponse(request, response, callback, json(request, response), UTF8, code, message, cause);
            }

            @Override
            protected void writeErrorJson(Request request, PrintWriter writer, int code, String message, Throwable cause) {
                writer.write(body(request, code, message));
            }

            @Override
            public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
                return badMessage(status, reason, fields);
            }
        };
    }

    private static final List<Charset> UTF8 = List.of(StandardCharsets.UTF_8);

    /** Whatever the client accepts, the answer is JSON with a request id. */
    private String json(Request request, Response response) {
        String id = requestIds.next();
        request.setAttribute(REQUEST_ID, id);
        response.getHeaders().put(RequestIds.HEADER, id);
        return "application/json";
    }

    private String body(Request request, int code, String message) {
        Object id = request.getAttribute(REQUEST_ID);
        return body(code, message, id == null ? requestIds.next() : id.toString());
    }

    /** Requests so malformed that no request object exists (HTTP parser errors). */
    private ByteBuffer badMessage(int status, String reason, HttpFields.Mutable fields) {
        String id = requestIds.next();
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
        fields.put(RequestIds.HEADER, id);
        return ByteBuffer.wrap(body(status, reason, id).getBytes(StandardCharsets.UTF_8));
    }

    private static String body(int status, String reason, String requestId) {
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.VALIDATION_FAILED;
        };
        String message = reason == null || reason.isBlank() ? "The request is malformed." : "The request is malformed: " + reason + ".";
        return ErrorBody.of(code.code(), message, requestId).toString();
    }
}
