package dev.hailuo.server.support;

/**
 * The example requests of the source documents (../shared/seeds), as their platforms' clients
 * send them. The Market examples are the OpenAPI {@code example} blocks of seeds 002 and 004
 * written as JSON (YAML folded strings joined with spaces, as YAML defines); the Runbase one is
 * the {@code -d} argument of seed 003's curl example, byte for byte; the Rivya ones are seed 000's.
 */
public final class SeedRequests {
    private SeedRequests() {
    }

    /** Seed 002: Apikley {@code hailuo/02-text-to-video-pro}. */
    public static final String MARKET_TEXT_TO_VIDEO_PRO = """
            {"model":"hailuo/02-text-to-video-pro","callBackUrl":"https://your-domain.com/api/callback","input":{"prompt":\
            "High top angle wide mid close-up tracking shot, flying very fast two meters high over prehistoric ferns and \
            moss-covered ground, dominated by a real young boy (pink t-shirt, pink shorts, white shoes, white long socks), \
            with his back to the camera, body stretched out, gliding smoothly forward, flying in the air, casting a clear \
            shadow on the terrain below. His legs and body are high above the surface, his feet not touching the ground, \
            soaring in a Superman pose. The background is a vast Jurassic valley, filled with dense, ancient jungle \
            vegetation and towering cycads. In the distance, rugged volcanic mountains rise with a winding path cutting \
            through. Massive, slow-moving sauropods graze far off on the horizon. Large, fluffy white clouds float in the \
            vibrant blue sky. Strong dynamic motion blur adds a vivid sense of high-speed flight and deep cinematic \
            perspective. Realistic image \u2013raw.","prompt_optimizer":true}}""";

    /** The image seed 004 names, hosted by kie's file host. */
    public static final String MARKET_IMAGE_URL =
            "https://file.aiquickdraw.com/custom-page/akr/section-images/17585210783150ispzfo7.png";

    /** Seed 004: Apikley {@code hailuo/02-image-to-video-pro}, {@code end_image_url} empty as in the example. */
    public static final String MARKET_IMAGE_TO_VIDEO_PRO = """
            {"model":"hailuo/02-image-to-video-pro","callBackUrl":"https://your-domain.com/api/callback","input":{"prompt":\
            "Cinematic wide shot: A colossal starship drifts silently above the rings of Saturn, its metallic hull \
            reflecting streaks of cosmic light. The camera pushes closer, revealing thousands of illuminated windows like a \
            floating city. Smaller fighter crafts dart across the frame, leaving neon trails as they maneuver through the \
            vastness of space. A sudden burst of thrusters scatters asteroid fragments in slow motion, glowing faintly as \
            they collide and drift apart.","image_url":"%s","end_image_url":"","prompt_optimizer":true}}"""
            .formatted(MARKET_IMAGE_URL);

    /** Seed 003: the body of Runbase's "Create a run" curl example. */
    public static final String RUNBASE_CREATE = """
            {
            "model": "hailuo/pro",
            "input": {
            "prompt": "A cinematic product photo of a ceramic lamp"
            }
            }""";

    /** Seed 000: Rivya's minimal request. */
    public static final String RIVYA_MINIMAL = """
            {
            "model": "hailuo-pro",
            "prompt": "A cinematic product reveal with smooth camera movement",
            "params": {
            "prompt_optimizer": "false"
            }
            }""";

    /** The image seed 000's reference-file request names. */
    public static final String RIVYA_IMAGE_URL = "https://cdn.example.com/reference-image.png";

    /** Seed 000: Rivya's reference-file request. */
    public static final String RIVYA_REFERENCE_FILE = """
            {
            "model": "hailuo-pro",
            "prompt": "A cinematic product reveal with smooth camera movement",
            "params": {
            "prompt_optimizer": "false",
            "referenceMediaItems": [
            {
            "url": "%s",
            "kind": "image",
            "name": "reference-image.png",
            "mimeType": "image/png"
            }
            ]
            }
            }""".formatted(RIVYA_IMAGE_URL);
}
