package dev.hailuo.server.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Checks that a PNG is whole without decoding it: the chunk chain from the signature to IEND, each chunk's declared
 * length fitting in the file. Only chunk headers are read (seeks over the data), so a 10 MB file costs a few hundred
 * small reads. The IHDR's CRC is verified too, because the dimensions we report come from it; verifying every
 * chunk's CRC would mean reading the whole file, and a decoder catches damaged pixel data anyway.
 */
final class PngStructure {
    static final int SIGNATURE_BYTES = 8;
    static final int IHDR_LENGTH = 13;
    /** Encoders write IDAT in 8-64 KiB chunks; a 10 MB image with more chunks than this is hostile. */
    static final int MAX_CHUNKS = 100_000;

    private PngStructure() {
    }

    static void check(FileBytes in) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        long size = in.size();
        byte[] ihdr = in.readUpTo(SIGNATURE_BYTES, 8 + IHDR_LENGTH + 4);
        if (ihdr.length < 8 + IHDR_LENGTH + 4 || FileBytes.u32be(ihdr, 0) != IHDR_LENGTH
                || !"IHDR".equals(new String(ihdr, 4, 4, StandardCharsets.ISO_8859_1))) {
            throw new InvalidMediaException(file + ": corrupt PNG: the signature must be followed by a 13-byte IHDR"
                    + " chunk");
        }
        CRC32 crc = new CRC32();
        crc.update(ihdr, 4, 4 + IHDR_LENGTH);
        if (crc.getValue() != FileBytes.u32be(ihdr, 8 + IHDR_LENGTH)) {
            throw new InvalidMediaException(file + ": corrupt PNG: IHDR checksum mismatch");
        }
        boolean sawImageData = false;
        long at = SIGNATURE_BYTES;
        for (int chunks = 0; chunks < MAX_CHUNKS; chunks++) {
            byte[] header = in.readUpTo(at, 8);
            if (header.length < 8) {
                throw new InvalidMediaException(file + ": truncated PNG: the file ends at offset " + size
                        + " before the IEND chunk (after " + chunks + " chunks)");
            }
            long length = FileBytes.u32be(header, 0);
            String type = new String(header, 4, 4, StandardCharsets.ISO_8859_1);
            if (length > Integer.MAX_VALUE || !type.chars().allMatch(PngStructure::isAsciiLetter)) {
                throw new InvalidMediaException(file + ": corrupt PNG: invalid chunk header at offset " + at
                        + " (type " + BoxHeader.quote(type) + ", length " + length + ")");
            }
            long end = at + 8 + length + 4; // header, data, CRC
            if (end > size) {
                throw new InvalidMediaException(file + ": truncated PNG: chunk " + BoxHeader.quote(type)
                        + " at offset " + at + " needs " + (end - at) + " bytes but the file ends "
                        + (size - at) + " bytes after its start");
            }
            switch (type) {
                case "IDAT" -> sawImageData = true;
                case "IEND" -> {
                    if (!sawImageData) {
                        throw new InvalidMediaException(file + ": corrupt PNG: IEND before any IDAT chunk");
                    }
                    return; // bytes after IEND are ignored, as every decoder does
                }
                default -> {
                }
            }
            at = end;
        }
        throw new InvalidMediaException(file + ": refusing PNG with more than " + MAX_CHUNKS + " chunks");
    }

    private static boolean isAsciiLetter(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
}
