package dev.hailuo.server.http.market;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.server.http.UploadFingerprint;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;

/**
 * The body of {@code POST /api/file-base64-upload}, spooled to a temporary file so that the
 * base64 value (about 67 MB for the largest video) is never held in memory: Jackson checks the
 * JSON and finds where the value starts without reading it, then the value is decoded from the
 * file as a stream into the file intake.
 *
 * <p>Hand-written in part because Jackson buffers every string it reads whole, and its own
 * streaming base64 reader cannot skip a {@code data:<type>;base64,} header. Decoding is
 * lenient where clients commonly differ (line breaks and spaces are ignored, the URL-safe
 * alphabet and missing padding are accepted) and strict otherwise: any other character is a
 * refusal, never silently skipped.
 */
final class Base64Body implements AutoCloseable {
    static final String DATA = "base64Data";
    static final String BAD_BASE64 = "Base64 decoding failed: Invalid Base64 format";
    /** A data-URL header longer than this is not a header ("data:" + a MIME type + parameters). */
    static final int MAX_HEADER_CHARS = 256;

    private final Path file;
    private final long dataOffset;
    private final String uploadPath;
    private final String fileName;

    private Base64Body(Path file, long dataOffset, String uploadPath, String fileName) {
        this.file = file;
        this.dataOffset = dataOffset;
        this.uploadPath = uploadPath;
        this.fileName = fileName;
    }

    /** The largest body accepted for a decoded size of {@code maxDecoded}: base64, line breaks, and room for the rest. */
    static long maxBodyBytes(long maxDecoded) {
        long base64 = (maxDecoded + 2) / 3 * 4;
        return base64 + base64 / 32 + 64 * 1024;
    }

    /**
     * Spools and parses the body. {@code contentType} must be JSON; the body at most
     * {@code maxBytes} (checked on the declared length and while reading).
     */
    static Base64Body read(InputStream in, String contentType, long declaredLength, ObjectMapper json, Path scratch,
                           long maxBytes) {
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim();
        if (!mediaType.equalsIgnoreCase("application/json")) {
            throw new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json.");
        }
        if (declaredLength > maxBytes) {
            throw tooLarge(maxBytes);
        }
        Path file;
        try {
            file = Files.createTempFile(scratch, "base64-", ".json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            spool(in, file, maxBytes);
            return parse(file, json);
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
    }

    String uploadPath() {
        return uploadPath;
    }

    String fileName() {
        return fileName;
    }

    /** The decoded bytes, read from the spooled body; bad base64 surfaces as a refusal while reading. */
    InputStream decoded() {
        if (dataOffset < 0) {
            throw GatewayException.validation("Missing required parameter: " + DATA);
        }
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
            raw.skipNBytes(dataOffset + 1);
            JsonChars chars = new JsonChars(raw);
            skipDataUrlHeader(chars);
            Alphabet alphabet = new Alphabet(chars);
            return new DecoderComplaints(Base64.getDecoder().wrap(alphabet), alphabet, raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Identifies the request for idempotency: a digest of the exact body. */
    String fingerprint() {
        return UploadFingerprint.of(file);
    }

    @Override
    public void close() {
        deleteQuietly(file);
    }

    private static void spool(InputStream in, Path file, long maxBytes) {
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed", e);
        }
    }

    private static Base64Body parse(Path file, ObjectMapper json) {
        try {
            checkUtf8Start(file);
            long offset = -1;
            String uploadPath = null;
            String fileName = null;
            try (JsonParser p = json.createParser(file.toFile())) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw GatewayException.validation("The request body must be a JSON object.");
                }
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (name) {
                        case DATA -> {
                            if (value == JsonToken.VALUE_STRING) {
                                // Where the string starts; nextToken() then skips it without buffering it.
                                offset = p.currentTokenLocation().getByteOffset();
                            } else if (value != JsonToken.VALUE_NULL) {
                                throw GatewayException.validation(DATA + ": must be a string.");
                            }
                        }
                        case "uploadPath", "fileName" -> {
                            String text = text(p, name, value);
                            if (name.equals("uploadPath")) {
                                uploadPath = text;
                            } else {
                                fileName = text;
                            }
                        }
                        default -> p.skipChildren();
                    }
                }
                if (p.nextToken() != null) {
                    throw GatewayException.validation("The request body is not valid JSON: trailing content after the object.");
                }
            }
            if (offset >= 0 && byteAt(file, offset) != '"') {
                throw new IllegalStateException("the JSON parser reported " + DATA + " at byte " + offset
                        + ", which does not start a string");
            }
            if (offset >= 0 && byteAt(file, offset + 1) == '"') {
                offset = -1; // "" is as good as missing
            }
            return new Base64Body(file, offset, uploadPath, fileName);
        } catch (JsonProcessingException e) {
            throw GatewayException.validation("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException | IllegalArgumentException e) {
            throw GatewayException.validation("The request body is not valid JSON.");
        }
    }

    private static String text(JsonParser p, String name, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw GatewayException.validation(name + ": must be a string.");
        }
        return p.getText();
    }

    /**
     * JSON is read as UTF-8 only (as everywhere in the gateway); Jackson would otherwise guess
     * UTF-16 or UTF-32 from the first bytes, which also loses the byte offsets used here. Neither
     * can start without a zero byte or a UTF-16 byte-order mark among the first four bytes.
     */
    private static void checkUtf8Start(Path file) throws IOException {
        byte[] start = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(start, 0, 4);
        }
        if (n == 0) {
            throw GatewayException.validation("The request body is empty; a JSON object is required.");
        }
        boolean utf16Bom = n >= 2 && ((start[0] == (byte) 0xFE && start[1] == (byte) 0xFF)
                || (start[0] == (byte) 0xFF && start[1] == (byte) 0xFE));
        for (int i = 0; i < n; i++) {
            if (start[i] == 0 || utf16Bom) {
                throw GatewayException.validation("The request body is not valid UTF-8.");
            }
        }
    }

    private static int byteAt(Path file, long offset) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(offset);
            return in.read();
        }
    }

    /** Consumes a {@code data:<type>;base64,} header if the value has one; otherwise leaves the value untouched. */
    private static void skipDataUrlHeader(JsonChars chars) {
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            int c = chars.next();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        if (!head.toString().toLowerCase(Locale.ROOT).equals("data:")) {
            chars.unread(head);
            return;
        }
        for (int c = chars.next(); c != ','; c = chars.next()) {
            if (c < 0 || head.length() >= MAX_HEADER_CHARS) {
                throw GatewayException.validation(DATA + ": a data URL needs a header of at most " + MAX_HEADER_CHARS
                        + " characters ending in ';base64,' before the data.");
            }
            head.append((char) c);
        }
        if (!head.toString().toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw GatewayException.validation(DATA + ": only base64 data URLs are accepted (data:<type>;base64,<data>).");
        }
    }

    private static String withoutFinalDot(String message) {
        return message != null && message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    private static GatewayException badBase64(String detail) {
        return GatewayException.validation(BAD_BASE64 + " (" + detail + ").");
    }

    private static GatewayException tooLarge(long maxBytes) {
        return new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is larger than " + maxBytes
                + " bytes; send large files with file-stream-upload.");
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover temporary file is removed with the scratch directory; nothing depends on it.
        }
    }

    /**
     * The characters of a JSON string whose opening quote was consumed, escapes resolved, -1 at
     * its closing quote. The document was validated by Jackson first, so the string is well formed.
     * Bytes of multi-byte UTF-8 characters come through as themselves: never base64, always refused.
     */
    static final class JsonChars {
        private final InputStream in;
        private final StringBuilder pushedBack = new StringBuilder();
        private boolean ended;
        private long position;

        JsonChars(InputStream in) {
            this.in = in;
        }

        /** How many characters of the value were read, for messages. */
        long position() {
            return position;
        }

        void unread(CharSequence chars) {
            pushedBack.insert(0, chars);
            position -= chars.length();
        }

        int next() {
            if (!pushedBack.isEmpty()) {
                char c = pushedBack.charAt(0);
                pushedBack.deleteCharAt(0);
                position++;
                return c;
            }
            if (ended) {
                return -1;
            }
            int b = read();
            if (b == '"' || b < 0) {
                ended = true;
                return -1;
            }
            position++;
            if (b != '\\') {
                return b;
            }
            int escaped = read();
            return switch (escaped) {
                case '"', '\\', '/' -> escaped;
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'u' -> hex();
                default -> throw GatewayException.validation(DATA + ": invalid JSON escape.");
            };
        }

        private int hex() {
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int digit = Character.digit(read(), 16);
                if (digit < 0) {
                    throw GatewayException.validation(DATA + ": invalid JSON escape.");
                }
                value = value * 16 + digit;
            }
            return value;
        }

        private int read() {
            try {
                return in.read();
            } catch (IOException e) {
                // Unchecked, so that an IOException out of the decoder is always the decoder's complaint.
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The base64 alphabet only: whitespace dropped, URL-safe characters mapped, anything else refused. */
    private static final class Alphabet extends InputStream {
        private final JsonChars chars;
        private int padding;

        Alphabet(JsonChars chars) {
            this.chars = chars;
        }

        @Override
        public int read() {
            for (int c = chars.next(); c >= 0; c = chars.next()) {
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                    continue;
                }
                if (c == '=') {
                    if (++padding > 2) {
                        throw badBase64("more than two padding characters");
                    }
                    return c;
                }
                if (padding > 0) {
                    throw badBase64("data after the padding, at character " + chars.position() + " of " + DATA);
                }
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/') {
                    return c;
                }
                if (c == '-' || c == '_') {
                    return c == '-' ? '+' : '/';
                }
                throw badBase64((c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02X", c))
                        + " at character " + chars.position() + " of " + DATA + " is not base64");
            }
            return -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            int n = 0;
            while (n < length) {
                int c = read();
                if (c < 0) {
                    break;
                }
                buffer[offset + n++] = (byte) c;
            }
            return n == 0 && length > 0 ? -1 : n;
        }
    }

    /**
     * The JDK decoder's IOExceptions (a dangling character, a misplaced padding character) as
     * refusals. The decoder stops reading at the padding; the rest of the value is read here, so
     * that data after the padding is refused rather than silently dropped.
     */
    private static final class DecoderComplaints extends FilterInputStream {
        private final Alphabet alphabet;
        private final InputStream raw;

        DecoderComplaints(InputStream decoder, Alphabet alphabet, InputStream raw) {
            super(decoder);
            this.alphabet = alphabet;
            this.raw = raw;
        }

        @Override
        public int read() {
            try {
                return atEnd(super.read());
            } catch (IOException e) {
                throw badBase64(withoutFinalDot(e.getMessage()));
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            try {
                return atEnd(super.read(buffer, offset, length));
            } catch (IOException e) {
                throw badBase64(withoutFinalDot(e.getMessage()));
            }
        }

        private int atEnd(int n) {
            if (n < 0) {
                while (alphabet.read() >= 0) {
                    // Only more padding may follow; Alphabet refuses anything else.
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                raw.close();
            }
        }
    }
}
