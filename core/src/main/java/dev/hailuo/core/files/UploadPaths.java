package dev.hailuo.core.files;

import dev.hailuo.core.error.GatewayException;

import java.nio.charset.StandardCharsets;

/**
 * Where a Market upload lands: {@code uploadPath/fileName} inside the caller's account, as the
 * kie.ai upload API builds it. The path is a key, never a file-system path, but it is shown back
 * and may one day name an object in a bucket, so it is kept canonical and harmless:
 *
 * <ul>
 *   <li>{@code uploadPath} is required: one or more segments separated by {@code /}, relative
 *       (no leading {@code /}), with no empty segment (no {@code //}, no trailing {@code /}), no
 *       {@code .} or {@code ..} segment, no backslash, no control character (C0, DEL, C1) and no
 *       unpaired surrogate; at most {@value #MAX_DIRECTORY_BYTES} bytes, each segment at most
 *       {@value #MAX_NAME_BYTES} bytes (UTF-8, as file systems count).</li>
 *   <li>{@code fileName} is optional (absent or empty: the caller makes a random name); when
 *       given it is one segment under the same rules, so it cannot contain {@code /}.</li>
 * </ul>
 *
 * So a full path is at most {@value #MAX_PATH_BYTES} bytes, which also keeps it within a
 * PostgreSQL b-tree index entry.
 */
public final class UploadPaths {
    public static final int MAX_NAME_BYTES = 255;
    public static final int MAX_DIRECTORY_BYTES = 1024;
    public static final int MAX_PATH_BYTES = MAX_DIRECTORY_BYTES + 1 + MAX_NAME_BYTES;
    public static final String UPLOAD_PATH = "uploadPath";
    public static final String FILE_NAME = "fileName";

    private UploadPaths() {
    }

    /** A checked {@code uploadPath} and file name; {@link #path()} is the key of the file in its account. */
    public record UploadPath(String directory, String name) {
        public String path() {
            return directory + "/" + name;
        }
    }

    /** The {@code uploadPath} as given, or a refusal saying which rule it breaks. */
    public static String directory(String uploadPath) {
        if (uploadPath == null || uploadPath.isEmpty()) {
            throw GatewayException.validation("Missing required parameter: " + UPLOAD_PATH);
        }
        checkText(UPLOAD_PATH, uploadPath);
        if (uploadPath.startsWith("/")) {
            throw GatewayException.validation(UPLOAD_PATH + ": must be relative, without a leading '/' (for example "
                    + "images/user-uploads).");
        }
        int bytes = utf8Length(uploadPath);
        if (bytes > MAX_DIRECTORY_BYTES) {
            throw GatewayException.validation(UPLOAD_PATH + ": at most " + MAX_DIRECTORY_BYTES
                    + " bytes (UTF-8), got " + bytes + ".");
        }
        String[] segments = uploadPath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            checkSegment(UPLOAD_PATH, segments[i], "segment " + (i + 1));
        }
        return uploadPath;
    }

    /** The {@code fileName} as given, or null when absent or empty (a random name is then made). */
    public static String fileName(String fileName) {
        if (fileName == null || fileName.isEmpty()) {
            return null;
        }
        checkText(FILE_NAME, fileName);
        if (fileName.indexOf('/') >= 0) {
            throw GatewayException.validation(FILE_NAME + ": must be a single name without '/'; put directories in "
                    + UPLOAD_PATH + ".");
        }
        checkSegment(FILE_NAME, fileName, "the name");
        return fileName;
    }

    private static void checkText(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw GatewayException.validation(field + ": must not contain control characters (U+"
                        + String.format("%04X", (int) c) + " at position " + i + ").");
            }
            if (c == '\\') {
                throw GatewayException.validation(field + ": must not contain backslashes ('\\' at position " + i + ")"
                        + (field.equals(UPLOAD_PATH) ? "; use '/' between directories." : "."));
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw GatewayException.validation(field + ": is not valid Unicode text (unpaired surrogate at position "
                        + i + ").");
            }
        }
    }

    private static void checkSegment(String field, String segment, String which) {
        if (segment.isBlank()) {
            throw GatewayException.validation(field + ": must not contain empty segments (" + which
                    + " is empty; no '//' and no trailing '/').");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw GatewayException.validation(field + ": must not contain '" + segment + "' segments (" + which + ").");
        }
        int bytes = utf8Length(segment);
        if (bytes > MAX_NAME_BYTES) {
            throw GatewayException.validation(field + ": " + which + " is " + bytes + " bytes (UTF-8); at most "
                    + MAX_NAME_BYTES + " are allowed.");
        }
    }

    private static int utf8Length(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }
}
