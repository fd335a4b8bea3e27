package dev.hailuo.emulators;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar hailuo-emulators.jar minimax|fal|replicate --port 9100}. */
@Command(name = "hailuo-emulators", mixinStandardHelpOptions = true,
        description = "Runs an upstream provider emulator (fault plan settable with POST /_emulator/faults).")
public final class EmulatorMain implements Callable<Integer> {
    @Parameters(index = "0", description = "minimax, fal or replicate")
    String provider;

    @Option(names = "--port", defaultValue = "0")
    int port;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new EmulatorMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Videos videos = new Videos(Files.createTempDirectory("hailuo-emulator-"), Clock.systemUTC());
        Emulator emulator = Emulators.start(provider, port, videos, Clock.systemUTC());
        System.out.println(provider + " emulator listening on " + emulator.baseUrl());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
