package dev.batcher.client.protocol;

/** Who is at the connecting end of a connection, as stated in its {@code HELLO}. */
public enum Role {
    /** A training process that creates batch streams and takes batches. */
    CLIENT("client"),
    /** A worker process that materialises jobs for the daemon. */
    WORKER("worker");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    /** Returns the name of the role in a {@code HELLO} header: {@code "client"} or {@code "worker"}. */
    public String wireName() {
        return wireName;
    }

    /**
     * Returns the role with a wire name.
     *
     * @param wireName {@code "client"} or {@code "worker"}
     * @return the role
     * @throws ProtocolException if the name is none of those
     */
    public static Role fromWireName(String wireName) {
        for (Role role : values()) {
            if (role.wireName.equals(wireName)) {
                return role;
            }
        }
        throw new ProtocolException("hello.role", wireName, "\"client\" or \"worker\"");
    }
}
