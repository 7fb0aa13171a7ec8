package dev.batcher.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A process of a deployment test, its output (both streams) appended to a log file. A supervised
 * one is started again one second after it exits, as systemd's {@code Restart=always} or a
 * kubelet would, until {@link #close}.
 */
final class HostProcess implements AutoCloseable {
    private final List<String> command;
    private final Path log;
    private final boolean supervised;
    private final List<Integer> exits = new ArrayList<>();
    private Process current;
    private int starts;
    private boolean closed;

    private HostProcess(List<String> command, Path log, boolean supervised) {
        this.command = List.copyOf(command);
        this.log = log;
        this.supervised = supervised;
    }

    /** Starts {@code command} once. */
    static HostProcess start(List<String> command, Path log) {
        HostProcess p = new HostProcess(command, log, false);
        p.launch();
        return p;
    }

    /** Starts {@code command}, and again whenever it exits, until closed. */
    static HostProcess supervise(List<String> command, Path log) {
        HostProcess p = new HostProcess(command, log, true);
        p.launch();
        return p;
    }

    private synchronized void launch() {
        if (closed) {
            return;
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            p.getOutputStream().close();
            current = p;
            starts++;
            if (supervised) {
                p.onExit().thenRun(() -> exited(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(log.getFileName() + ": starting " + command + " failed", e);
        }
    }

    private synchronized void exited(Process p) {
        exits.add(p.exitValue());
        if (!closed) {
            CompletableFuture.runAsync(this::launch, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)).exceptionally(e -> {
                // Nobody waits on this future: put the failure where the test's messages show it.
                try {
                    Files.writeString(log, "HostProcess: restarting failed: " + e + "\n", java.nio.file.StandardOpenOption.APPEND,
                            java.nio.file.StandardOpenOption.CREATE);
                } catch (IOException io) {
                    e.addSuppressed(io);
                    throw new UncheckedIOException(io);
                }
                return null;
            });
        }
    }

    /** Returns how many times the process was started. */
    synchronized int starts() {
        return starts;
    }

    /** Returns the exit statuses of the runs that ended while supervised. */
    synchronized List<Integer> exits() {
        return List.copyOf(exits);
    }

    /** Returns the running (or last) process. */
    synchronized Process process() {
        return current;
    }

    /** Returns the name of its log file. */
    String name() {
        return log.getFileName().toString();
    }

    /** Returns the log so far. */
    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the lines of the log that start with {@code prefix}. */
    List<String> lines(String prefix) {
        return log().lines().filter(l -> l.startsWith(prefix)).toList();
    }

    /** Stops supervising, then ends the process: SIGTERM, and SIGKILL after 10 s. */
    @Override
    public void close() {
        Process p;
        synchronized (this) {
            closed = true;
            p = current;
        }
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
