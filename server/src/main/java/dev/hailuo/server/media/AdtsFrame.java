package dev.hailuo.server.media;

import java.util.Optional;

/**
 * One ADTS frame header (ISO 14496-3 1.A.2): how raw AAC is framed in ".aac" files.
 * Told apart from MPEG audio by its 12-bit sync 0xFFF followed by layer bits 00, which MPEG audio reserves.
 *
 * @param sampleRate samples per second per channel, from the sampling frequency index
 * @param length     the whole frame in bytes, header included
 * @param samples    1024 per raw data block (AAC-LC; HE-AAC's doubled output rate is not signalled in ADTS, and
 *                   its frames still carry 1024 core samples at the signalled rate, so the duration is the same)
 */
record AdtsFrame(int sampleRate, int length, int samples) {
    static final int HEADER_BYTES = 7;

    private static final int[] RATES = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025,
            8000, 7350};

    static Optional<AdtsFrame> parse(byte[] b, int at) {
        if (b.length - at < HEADER_BYTES) {
            return Optional.empty();
        }
        int b1 = b[at + 1] & 0xff;
        int b2 = b[at + 2] & 0xff;
        // sync 1111 1111 1111, then ID (either), layer 00, protection_absent (either)
        if ((b[at] & 0xff) != 0xff || (b1 & 0xf6) != 0xf0) {
            return Optional.empty();
        }
        int rateIndex = (b2 >> 2) & 0xf;
        if (rateIndex >= RATES.length) {
            return Optional.empty();
        }
        int headerBytes = (b1 & 1) == 1 ? HEADER_BYTES : HEADER_BYTES + 2; // + CRC when protection is present
        int length = (b[at + 3] & 3) << 11 | (b[at + 4] & 0xff) << 3 | (b[at + 5] & 0xff) >> 5;
        if (length <= headerBytes) {
            return Optional.empty();
        }
        int blocks = (b[at + 6] & 3) + 1;
        return Optional.of(new AdtsFrame(RATES[rateIndex], length, blocks * 1024));
    }

    double seconds() {
        return (double) samples / sampleRate;
    }
}
