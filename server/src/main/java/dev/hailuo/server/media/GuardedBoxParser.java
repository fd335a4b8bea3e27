package dev.hailuo.server.media;

import org.mp4parser.ParsableBox;
import org.mp4parser.PropertyBoxParserImpl;
import org.mp4parser.boxes.UnknownBox;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;

/**
 * isoparser's box factory with the checks isoparser lacks for hostile input.
 * isoparser allocates a buffer of whatever size a box header declares before reading it, so a garbage header inside a
 * small moov could ask for 2 GiB; and it recurses once per nesting level, so deeply nested garbage could overflow the
 * stack. Here every header is peeked first and must fit inside the region being parsed, and nesting is capped.
 * <p>
 * Not thread-safe (nor is {@link PropertyBoxParserImpl}); {@link Mp4Probe} makes one per probe.
 */
final class GuardedBoxParser extends PropertyBoxParserImpl {
    /** Real files nest about 9 deep (moov/trak/mdia/minf/stbl/stsd/avc1/avcC); this leaves room for exotic ones. */
    static final int MAX_DEPTH = 32;

    private int depth;

    @Override
    public ParsableBox parseBox(ReadableByteChannel channel, String parentType) throws IOException {
        // Every box parses its children from the channel it was given, so all reads go through our RegionChannel;
        // the one exception (MetaBox, which wraps the channel to look ahead) is made opaque in createBox.
        if (!(channel instanceof RegionChannel region)) {
            throw new MalformedBoxException("unexpected nested channel " + channel.getClass().getName()
                    + " inside " + parentType);
        }
        BoxHeader next = BoxHeader.read(region.file(), region.position(), region.end());
        next.requireWithin(region.end(), region.name());
        if (depth >= MAX_DEPTH) {
            throw new MalformedBoxException("boxes nested deeper than " + MAX_DEPTH + " levels at offset "
                    + next.offset());
        }
        depth++;
        try {
            return super.parseBox(channel, parentType);
        } finally {
            depth--;
        }
    }

    @Override
    public ParsableBox createBox(String type, byte[] userType, String parentType) {
        if ("meta".equals(type)) {
            return new UnknownBox(type); // read as one opaque (already size-checked) blob; we need nothing in it
        }
        return super.createBox(type, userType, parentType);
    }
}
