package dev.hailuo.server.media;

import java.util.Optional;

/**
 * One MPEG audio Layer III frame header (ISO 11172-3 / 13818-3, plus the unofficial MPEG 2.5 extension).
 * <p>
 * Only Layer III is accepted: Layer I and II streams are also "audio/mpeg" but are MP1/MP2, which the models we
 * forward to do not take as "mp3". Free-format streams (bitrate index 0) are refused because their frame length is
 * not in the header and can only be found by searching for the next sync.
 *
 * @param version    10 (MPEG-1), 20 (MPEG-2) or 25 (MPEG-2.5)
 * @param sampleRate samples per second per channel
 * @param mono       channel mode 3; decides where the Xing/VBRI header sits
 * @param length     the whole frame in bytes, header included
 * @param samples    samples per channel the frame decodes to
 */
record Mp3Frame(int version, int sampleRate, boolean mono, int length, int samples) {
    static final int HEADER_BYTES = 4;

    private static final int[] BITRATES_V1 = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
    private static final int[] BITRATES_V2 = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
    private static final int[] RATES_V1 = {44100, 48000, 32000};

    /** The frame whose header is the first four bytes of {@code b} at {@code at}, if they are one. */
    static Optional<Mp3Frame> parse(byte[] b, int at) {
        if (b.length - at < HEADER_BYTES) {
            return Optional.empty();
        }
        int b1 = b[at + 1] & 0xff;
        int b2 = b[at + 2] & 0xff;
        int b3 = b[at + 3] & 0xff;
        // 11 sync bits; then version (00 = 2.5, 01 reserved, 10 = 2, 11 = 1) and layer (01 = Layer III).
        if ((b[at] & 0xff) != 0xff || (b1 & 0xe0) != 0xe0) {
            return Optional.empty();
        }
        int versionBits = (b1 >> 3) & 3;
        int layerBits = (b1 >> 1) & 3;
        int bitrateIndex = b2 >> 4;
        int rateIndex = (b2 >> 2) & 3;
        if (versionBits == 1 || layerBits != 1 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
            return Optional.empty();
        }
        if ((b3 & 3) == 2) {
            return Optional.empty(); // emphasis 10 is reserved: in practice a false sync inside other data
        }
        int version = versionBits == 3 ? 10 : versionBits == 2 ? 20 : 25;
        int sampleRate = RATES_V1[rateIndex] / (version == 10 ? 1 : version == 20 ? 2 : 4);
        int bitrate = (version == 10 ? BITRATES_V1 : BITRATES_V2)[bitrateIndex] * 1000;
        int padding = (b2 >> 1) & 1;
        int samples = version == 10 ? 1152 : 576;
        int length = samples / 8 * bitrate / sampleRate + padding;
        return Optional.of(new Mp3Frame(version, sampleRate, (b3 >> 6) == 3, length, samples));
    }

    /** Offset of the Xing/Info header from the frame start: it follows the side information. */
    int xingOffset() {
        int sideInfo = version == 10 ? (mono ? 17 : 32) : (mono ? 9 : 17);
        return HEADER_BYTES + sideInfo;
    }

    double seconds() {
        return (double) samples / sampleRate;
    }
}
