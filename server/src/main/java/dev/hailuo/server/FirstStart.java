package dev.hailuo.server;

import dev.hailuo.core.account.Accounts;
import dev.hailuo.server.config.GatewayConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

/**
 * What a first start sets up so the gateway is usable at once: an admin token (unless one is
 * configured) and, embedded, a demo account. Secrets go to the console and to 0600 files in
 * the data directory, never to the log.
 */
final class FirstStart {
    static final long DEMO_CREDITS = 1000;
    static final String DEMO_KEY_FILE = "demo-api-key";
    static final String ADMIN_TOKEN_FILE = "admin-token";

    private final GatewayConfig config;
    private final Gateway.Services services;
    private final PrintStream console;

    FirstStart(GatewayConfig config, Gateway.Services services, PrintStream console) {
        this.config = config;
        this.services = services;
        this.console = console;
    }

    String adminToken() throws IOException {
        if (config.adminToken() != null) {
            return config.adminToken();
        }
        Path file = config.dataDir().resolve(ADMIN_TOKEN_FILE);
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        byte[] bytes = new byte[24];
        services.random().nextBytes(bytes);
        String token = "hgw_admin_" + HexFormat.of().formatHex(bytes);
        writeSecret(file, token);
        console.println("Admin token (HAILUO_ADMIN_TOKEN unset; saved to " + file + "): " + token);
        return token;
    }

    void demoAccount() throws IOException {
        if (!services.accountStore().isEmpty()) {
            return;
        }
        Accounts.Opened demo = services.accounts().open("demo", DEMO_CREDITS, null);
        Path file = config.dataDir().resolve(DEMO_KEY_FILE);
        writeSecret(file, demo.key().secret());
        console.println("Demo account " + demo.account().id() + " with " + DEMO_CREDITS + " credits; API key (saved to "
                + file + "): " + demo.key().secret());
    }

    private static void writeSecret(Path file, String secret) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    }
}
