package dev.hailuo.server;

import dev.hailuo.core.account.Accounts;
import dev.hailuo.core.account.IssuedKey;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.server.config.ConfigException;
import dev.hailuo.server.config.GatewayConfig;
import dev.hailuo.server.config.ProviderConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar hailuo-gateway.jar [serve | account create | key create | credits grant]}. */
@Command(name = "hailuo-gateway", mixinStandardHelpOptions = true,
        description = "Hailuo Gateway: sells asynchronous video generation through three public APIs.",
        subcommands = {Main.Serve.class, Main.AccountCommand.class, Main.KeyCommand.class, Main.CreditsCommand.class})
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException || e instanceof GatewayException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        int code = cli.execute(args.length == 0 ? new String[] {"serve"} : args);
        flushLogs();
        System.exit(code);
    }

    /**
     * Log lines are written by a background thread (logback.xml, BatchingAppender): stopping
     * the logging context waits for the lines still queued, so the last ones before an exit are kept.
     */
    private static void flushLogs() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            context.stop();
        }
    }

    @Override
    public Integer call() {
        return new Serve().call();
    }

    static GatewayConfig config() {
        return GatewayConfig.fromEnvironment(System.getenv());
    }

    @Command(name = "serve", description = "Run the gateway (configuration from HAILUO_* environment variables).")
    static final class Serve implements Callable<Integer> {
        @Override
        public Integer call() {
            GatewayConfig config = config();
            try {
                Gateway gateway = Gateway.start(config, ProviderConfig.fromEnvironment(System.getenv()), Clock.systemUTC(),
                        System.out);
                CountDownLatch stopped = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    gateway.close();
                    flushLogs();
                    stopped.countDown();
                }));
                System.out.println("Hailuo Gateway listening on http://localhost:" + gateway.port());
                stopped.await();
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            } catch (java.io.IOException e) {
                System.err.println("error: " + e.getMessage());
                return 1;
            }
        }
    }

    /** Opens the database for a one-shot command and closes it after. */
    private static <T> T withServices(java.util.function.Function<Gateway.Services, T> action) {
        Gateway.Services services = Gateway.Services.open(config(), Clock.systemUTC());
        try {
            return action.apply(services);
        } finally {
            services.db().close();
        }
    }

    @Command(name = "account", description = "Manage accounts.", subcommands = AccountCommand.Create.class)
    static final class AccountCommand {
        @Command(name = "create", description = "Create an account with credits and its first API key.")
        static final class Create implements Callable<Integer> {
            @Option(names = "--name", required = true)
            String name;
            @Option(names = "--credits", defaultValue = "0")
            long credits;

            @Override
            public Integer call() {
                Accounts.Opened opened = withServices(s -> s.accounts().open(name, credits, null));
                System.out.println("account " + opened.account().id() + " (" + opened.account().name() + ") with "
                        + opened.account().balance() + " credits");
                System.out.println("api key (shown once): " + opened.key().secret());
                return 0;
            }
        }
    }

    @Command(name = "key", description = "Manage API keys.", subcommands = KeyCommand.Create.class)
    static final class KeyCommand {
        @Command(name = "create", description = "Create an API key for an account.")
        static final class Create implements Callable<Integer> {
            @Option(names = "--account", required = true)
            String account;
            @Option(names = "--scopes", split = ",", description = "Comma-separated scopes (default: all).")
            List<String> scopes;

            @Override
            public Integer call() {
                Set<Scope> chosen = Scope.all();
                if (scopes != null) {
                    chosen = EnumSet.noneOf(Scope.class);
                    for (String name : scopes) {
                        chosen.add(Scope.fromWire(name.trim()).orElseThrow(() -> GatewayException.validation(
                                "unknown scope \"" + name + "\"")));
                    }
                }
                Set<Scope> finalScopes = chosen;
                IssuedKey key = withServices(s -> s.accounts().createKey(account, finalScopes));
                System.out.println("key " + key.key().id() + " for " + account);
                System.out.println("api key (shown once): " + key.secret());
                return 0;
            }
        }
    }

    @Command(name = "credits", description = "Manage credits.", subcommands = CreditsCommand.Grant.class)
    static final class CreditsCommand {
        @Command(name = "grant", description = "Grant credits (a negative amount is an adjustment).")
        static final class Grant implements Callable<Integer> {
            @Option(names = "--account", required = true)
            String account;
            @Option(names = "--amount", required = true)
            long amount;
            @Option(names = "--note", defaultValue = "cli grant")
            String note;

            @Override
            public Integer call() {
                var updated = withServices(s -> s.accounts().grant(account, amount, note));
                System.out.println("account " + updated.id() + " now has " + updated.balance() + " credits");
                return 0;
            }
        }
    }
}
