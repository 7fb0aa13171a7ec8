package dev.batcher.materializers.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A small HTTP proxy on loopback between the S3 client and S3Proxy that injects faults: throttling
 * (503 SlowDown), connections reset part-way through a body, and bodies cut short. It forwards each
 * request unchanged (the signature still holds: {@code Connection} is not a signed header) on a fresh
 * upstream connection, reads the whole response, and then answers as {@link #policy} says. It records
 * every request line and {@code Range} header so tests can check what was asked for.
 */
public final class FaultProxy implements AutoCloseable {
    /** What to do with one response. */
    public enum Fault {
        /** Pass it on. */
        NONE,
        /** Answer 503 SlowDown instead. */
        THROTTLE,
        /** Send the head and half the body, then reset the connection. */
        RESET,
        /** Send the head (with the full Content-Length) and half the body, then close. */
        TRUNCATE
    }

    /**
     * One request seen.
     *
     * @param method the method
     * @param path the path and query
     * @param range the Range header, or null
     */
    public record Seen(String method, String path, String range) {
    }

    private final ServerSocket server;
    private final URI upstream;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile Function<Seen, Fault> policy = s -> Fault.NONE;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    /**
     * Starts a proxy forwarding to {@code upstream}.
     *
     * @throws IOException if it cannot listen
     */
    public FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /** Returns the proxy's endpoint. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Sets what to do with each request (called once per request, on the proxy's threads). */
    public void policy(Function<Seen, Fault> p) {
        this.policy = p;
    }

    /** Returns the requests seen so far. */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Forgets the requests seen and the most seen in flight. */
    public void clearSeen() {
        seen.clear();
        maxInFlight.set(0);
    }

    /** Returns the most requests in flight at once (from being read to being answered) since {@link #clearSeen}. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String[] requestLine = lines[0].split(" ");
                long length = 0;
                String range = null;
                StringBuilder forwarded = new StringBuilder(lines[0]).append("\r\n");
                for (int i = 1; i < lines.length; i++) {
                    String lower = lines[i].toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(lines[i].substring(15).trim());
                    } else if (lower.startsWith("range:")) {
                        range = lines[i].substring(6).trim();
                    } else if (lower.startsWith("connection:")) {
                        continue;
                    }
                    forwarded.append(lines[i]).append("\r\n");
                }
                forwarded.append("Connection: close\r\n\r\n");
                byte[] body = in.readNBytes((int) length);
                Seen s = new Seen(requestLine[0], requestLine[1], range);
                seen.add(s);
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    if (!answer(s, client, out, forwarded, body)) {
                        return;
                    }
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** Answers one request; returns whether the connection stays open for another. */
    private boolean answer(Seen s, Socket client, OutputStream out, StringBuilder forwarded, byte[] body)
            throws IOException {
        Fault fault = policy.apply(s);
        if (fault == Fault.THROTTLE) {
            byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                    + "<Message>Please reduce your request rate.</Message></Error>").getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: " + xml.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(xml);
            out.flush();
            return true;
        }
        byte[] response;
        try (Socket up = new Socket(upstream.getHost(), upstream.getPort())) {
            up.getOutputStream().write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
            up.getOutputStream().write(body);
            up.getOutputStream().flush();
            response = up.getInputStream().readAllBytes();
        }
        int split = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
        int bodyLength = response.length - split;
        if ((fault == Fault.RESET || fault == Fault.TRUNCATE) && bodyLength > 1) {
            out.write(response, 0, split + bodyLength / 2);
            out.flush();
            if (fault == Fault.RESET) {
                client.setSoLinger(true, 0);
            }
            return false;
        }
        out.write(response);
        out.flush();
        return false; // the upstream said Connection: close
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) ? state + 1 : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.substring(0, s.length() - 4);
            }
        }
    }

    private static int indexOf(byte[] a, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= a.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (a[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Returns the address it listens on. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
