package dev.batcher.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code batcher serve} daemon in a child process, as a user runs it, so the benchmark measures
 * the daemon's own memory and crosses real process boundaries.
 */
final class DaemonProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("batcher daemon listening on (\\S+):(\\d+) ");

    private final Process process;
    private final InetSocketAddress address;

    private DaemonProcess(Process process, InetSocketAddress address) {
        this.process = process;
        this.address = address;
    }

    /**
     * Starts {@code batcher serve --port 0} with extra arguments and waits for it to listen.
     *
     * @param serveArgs arguments after {@code serve}
     * @return the running daemon
     * @throws IOException if it cannot be started or exits before listening
     */
    static DaemonProcess start(List<String> serveArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.batcher.service.cli.Main");
        cmd.add("serve");
        cmd.add("--port=0");
        cmd.add("--metrics-port=-1");
        cmd.addAll(serveArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        String line;
        while ((line = r.readLine()) != null) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (r.readLine() != null) {
                            // The daemon's log is not part of the figures.
                        }
                    } catch (IOException e) {
                        // The process ended.
                    }
                }, "daemon-output");
                drain.setDaemon(true);
                drain.start();
                return new DaemonProcess(p, new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))));
            }
            seen.add(line);
        }
        p.destroyForcibly();
        throw new IOException("batcher serve " + serveArgs + " exited before listening: " + String.join("\n", seen));
    }

    InetSocketAddress address() {
        return address;
    }

    /** Returns the daemon's resident set size in bytes (VmRSS), or -1 where /proc is not there. */
    long rssBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Stops the daemon as a user would (SIGTERM: its shutdown hook stops workers and deletes arenas). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
