package dev.batcher.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * What a client or worker says about itself in its {@code HELLO} frame. The header is
 * {@code {"protocol": 3, "role": "worker", "name": "w1", "slots": 2, "token": "..."}}; {@code slots}
 * is present for workers only and {@code token} only when one is configured.
 *
 * @param role client or worker
 * @param name a non-blank name for logs and error context, at most {@value #MAX_NAME_LENGTH}
 *     characters
 * @param token the shared secret the daemon may require, or null for none
 * @param slots for a worker, how many jobs it runs at once, in {@code [1, }{@value #MAX_SLOTS}{@code
 *     ]}; 0 for a client
 * @param host the peer's host id ({@code dev.batcher.client.arena.Arena#hostId()}) if it can use the
 *     daemon's shared-memory arenas when it runs on the daemon's host, or null for TCP only; header
 *     field {@code host}, absent when null
 * @param held a worker's cached object-storage files ({@code s3://bucket/key}), for cache-following
 *     dispatch from its first job; header field {@code held}, absent when empty (null reads as empty)
 */
public record Hello(Role role, String name, String token, int slots, String host, java.util.List<String> held) {
    /** The version of the protocol (message types and their headers) this code speaks. */
    public static final int PROTOCOL_VERSION = 3;
    /** The longest name accepted. */
    public static final int MAX_NAME_LENGTH = 128;
    /** The most slots a worker may announce. */
    public static final int MAX_SLOTS = 4096;
    /**
     * The most characters of file names a worker lists in {@code held}, so a {@code HELLO} stays well
     * within the 64 KiB allowed before the handshake; a worker holding more lists what fits.
     */
    public static final int MAX_HELD_CHARS = 32 << 10;

    /**
     * Checks the fields.
     *
     * @throws NullPointerException if {@code role} or {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank or too long, or {@code slots} is out
     *     of range for the role
     */
    public Hello {
        held = held == null ? java.util.List.of() : java.util.List.copyOf(held);
        if (host != null && (host.isBlank() || host.length() > MAX_NAME_LENGTH)) {
            throw new IllegalArgumentException("host: \"" + host + "\" (expected: a non-blank id of at most " + MAX_NAME_LENGTH
                    + " characters)");
        }
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(name, "name");
        String problem = checkName(name);
        if (problem != null) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: " + problem + ")");
        }
        problem = checkSlots(role, slots);
        if (problem != null) {
            throw new IllegalArgumentException("slots: " + slots + " (expected: " + problem + ")");
        }
    }

    /** Creates a hello without a host id (TCP only). */
    public Hello(Role role, String name, String token, int slots) {
        this(role, name, token, slots, null, null);
    }

    /** Creates a hello that lists no cached files. */
    public Hello(Role role, String name, String token, int slots, String host) {
        this(role, name, token, slots, host, null);
    }

    /** Returns this hello offering shared memory as host {@code id}, or TCP only if {@code id} is null. */
    public Hello withHost(String id) {
        return new Hello(role, name, token, slots, id, held);
    }

    /**
     * Returns this hello listing the files a worker's object-storage cache holds, as in its results'
     * {@code storage.held} ({@code s3://bucket/key}), so the daemon dispatches jobs for them to it from the
     * start (a worker that rejoins, or restarts with its cache, is warm). Names beyond
     * {@link #MAX_HELD_CHARS} characters in all are left out.
     */
    public Hello withHeld(java.util.Collection<String> files) {
        java.util.List<String> fit = new java.util.ArrayList<>();
        int chars = 0;
        for (String f : files) {
            chars += f.length() + 3;
            if (chars > MAX_HELD_CHARS) {
                break;
            }
            fit.add(f);
        }
        return new Hello(role, name, token, slots, host, fit);
    }

    /**
     * Creates the {@code HELLO} of a training client.
     *
     * @param name a name for logs, non-blank, at most {@value #MAX_NAME_LENGTH} characters
     * @param token the shared secret, or null
     * @return the hello
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank or too long
     */
    public static Hello client(String name, String token) {
        return new Hello(Role.CLIENT, name, token, 0);
    }

    /**
     * Creates the {@code HELLO} of a worker.
     *
     * @param name a name for logs, non-blank, at most {@value #MAX_NAME_LENGTH} characters
     * @param token the shared secret, or null
     * @param slots how many jobs the worker runs at once, in {@code [1, }{@value #MAX_SLOTS}{@code ]}
     * @return the hello
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank or too long, or {@code slots} is out
     *     of range
     */
    public static Hello worker(String name, String token, int slots) {
        return new Hello(Role.WORKER, name, token, slots);
    }

    /** Returns this hello with the token removed, as handed to the business handlers. */
    public Hello withoutToken() {
        return token == null ? this : new Hello(role, name, null, slots, host, held);
    }

    /** Returns the fields with the token redacted. */
    @Override
    public String toString() {
        return "Hello[role=" + role.wireName() + ", name=" + name
                + (token == null ? "" : ", token=<redacted>")
                + (role == Role.WORKER ? ", slots=" + slots : "") + (host == null ? "" : ", host=" + host)
                + (held.isEmpty() ? "" : ", held=" + held.size() + " files") + "]";
    }

    /**
     * Encodes this hello as a {@code HELLO} frame (id 0, no payload), token included.
     *
     * @return a frame with a reference count of 1
     */
    public Frame toFrame() {
        return Frame.of(MessageType.HELLO, 0, toHeader());
    }

    /**
     * Decodes a {@code HELLO} frame, checking the protocol version first; the frame is not released.
     *
     * @param frame a {@code HELLO} frame
     * @return the hello
     * @throws ProtocolException naming the first bad field; code
     *     {@link ErrorFrames#CODE_UNSUPPORTED_VERSION} for a version other than
     *     {@link #PROTOCOL_VERSION}, {@link ErrorFrames#CODE_PROTOCOL} for a frame of another type
     */
    public static Hello decode(Frame frame) {
        if (frame.type() != MessageType.HELLO) {
            throw new ProtocolException("type", frame.type(), "HELLO");
        }
        return fromHeader(frame.header());
    }

    ObjectNode toHeader() {
        ObjectNode header = Json.object();
        header.put("protocol", PROTOCOL_VERSION);
        header.put("role", role.wireName());
        header.put("name", name);
        if (role == Role.WORKER) {
            header.put("slots", slots);
        }
        if (token != null) {
            header.put("token", token);
        }
        if (host != null) {
            header.put("host", host);
        }
        if (!held.isEmpty()) {
            held.forEach(header.putArray("held")::add);
        }
        return header;
    }

    /**
     * Reads a {@code HELLO} header, checking the protocol version first.
     *
     * @throws ProtocolException naming the first bad field; code
     *     {@link ErrorFrames#CODE_UNSUPPORTED_VERSION} for a version other than
     *     {@link #PROTOCOL_VERSION}
     */
    static Hello fromHeader(JsonNode header) {
        JsonNode protocol = header.get("protocol");
        if (protocol == null || !protocol.isIntegralNumber()
                || protocol.asLong() != PROTOCOL_VERSION) {
            throw new ProtocolException(ErrorFrames.CODE_UNSUPPORTED_VERSION, "hello.protocol",
                    protocol == null ? "absent" : protocol.toString(),
                    String.valueOf(PROTOCOL_VERSION));
        }
        Role role = Role.fromWireName(Headers.text(header, "hello.role", "role"));
        String name = Headers.text(header, "hello.name", "name");
        String problem = checkName(name);
        if (problem != null) {
            String shown = name.length() > MAX_NAME_LENGTH
                    ? name.substring(0, MAX_NAME_LENGTH) + "..." : name;
            throw new ProtocolException("hello.name", "\"" + shown + "\"", problem);
        }
        int slots = 0;
        if (role == Role.WORKER) {
            slots = (int) Headers.integer(header, "hello.slots", "slots", 1, MAX_SLOTS);
        }
        JsonNode token = header.get("token");
        if (token != null && !token.isTextual() && !token.isNull()) {
            throw new ProtocolException("hello.token", "a JSON " + token.getNodeType(), "a string");
        }
        String host = Headers.optionalText(header, "hello.host", "host");
        if (host != null && (host.isBlank() || host.length() > MAX_NAME_LENGTH)) {
            throw new ProtocolException("hello.host", "\"" + host + "\"", "a non-blank id of at most " + MAX_NAME_LENGTH + " characters");
        }
        java.util.List<String> held = new java.util.ArrayList<>();
        JsonNode h = header.get("held");
        if (h != null && !h.isNull()) {
            if (!h.isArray()) {
                throw new ProtocolException("hello.held", "a JSON " + h.getNodeType(), "an array of file names");
            }
            for (JsonNode f : h) {
                if (!f.isTextual()) {
                    throw new ProtocolException("hello.held[" + held.size() + "]", "a JSON " + f.getNodeType(), "a file name");
                }
                held.add(f.asText());
            }
        }
        return new Hello(role, name, token == null || token.isNull() ? null : token.asText(), slots, host, held);
    }

    private static String checkName(String name) {
        if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            return "a non-blank name of at most " + MAX_NAME_LENGTH + " characters";
        }
        return null;
    }

    private static String checkSlots(Role role, int slots) {
        if (role == Role.WORKER && (slots < 1 || slots > MAX_SLOTS)) {
            return "in [1, " + MAX_SLOTS + "] for a worker";
        }
        if (role == Role.CLIENT && slots != 0) {
            return "0 for a client";
        }
        return null;
    }
}
