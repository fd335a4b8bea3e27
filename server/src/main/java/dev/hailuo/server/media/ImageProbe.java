package dev.hailuo.server.media;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;

/**
 * Reads an image's type and dimensions from its header, never decoding pixels, and refuses files that are not whole.
 * <p>
 * Header only is the point: the 50-megapixel rule (PRODUCT.md section 3) is a decompression-bomb guard, so it must be
 * checkable on a file of a few kilobytes that declares 60 MP without allocating those pixels. Dimensions come from
 * the ImageIO reader for the sniffed type ({@code getWidth(0)} reads the header only; TwelveMonkeys supplies the
 * WebP reader). Wholeness is a cheap structural check per format ({@link PngStructure}, {@link JpegStructure},
 * {@link WebpStructure}): enough to refuse a truncated upload, which an image header alone would not reveal.
 * <p>
 * Stateless and thread-safe.
 */
public final class ImageProbe {
    private final MediaSniffer sniffer = new MediaSniffer();

    /**
     * @throws InvalidMediaException the file is empty, not a JPEG, PNG or WebP by its bytes, truncated, corrupt in
     *                               its structure or header, or unreadable
     */
    public ImageInfo probe(Path file) throws InvalidMediaException {
        Objects.requireNonNull(file, "file");
        SniffedType type;
        try (FileBytes in = FileBytes.open(file)) {
            if (in.size() == 0) {
                throw new InvalidMediaException(file + ": not an image: the file is empty");
            }
            type = sniffer.sniff(in).filter(t -> SniffedType.IMAGE.equals(t.kind())).orElse(null);
            if (type == null) {
                throw new InvalidMediaException(file + ": not a JPEG, PNG or WebP image: first bytes are "
                        + FileBytes.hex(in.readUpTo(0, 12), 12));
            }
            switch (type.mime()) {
                case "image/png" -> PngStructure.check(in);
                case "image/jpeg" -> JpegStructure.check(in);
                case "image/webp" -> WebpStructure.check(in);
                default -> throw new IllegalStateException("no structure check for " + type);
            }
        } catch (EOFException e) {
            throw new InvalidMediaException(file + ": truncated image: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidMediaException(file + ": cannot read: " + e, e);
        }
        return dimensions(file, type);
    }

    private static ImageInfo dimensions(Path file, SniffedType type) throws InvalidMediaException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(type.mime());
        if (!readers.hasNext()) {
            // A packaging bug (the WebP plugin missing from the jar), not a property of the file.
            throw new IllegalStateException("no ImageIO reader for " + type.mime()
                    + "; is com.twelvemonkeys.imageio:imageio-webp on the class path?");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream stream = new FileImageInputStream(file.toFile())) {
            // Forward-only and no metadata: the reader reads just what getWidth/getHeight need.
            reader.setInput(stream, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (width <= 0 || height <= 0) {
                throw new InvalidMediaException(file + ": corrupt " + type.mime() + " header: size " + width + "x"
                        + height);
            }
            return new ImageInfo(type.mime(), width, height);
        } catch (IOException e) {
            throw new InvalidMediaException(file + ": corrupt " + type.mime() + " header: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Readers signal some malformed headers with unchecked exceptions; a bad upload must not become a 500.
            throw new InvalidMediaException(file + ": corrupt " + type.mime() + " header, reader failed: " + e, e);
        } finally {
            reader.dispose();
        }
    }
}
