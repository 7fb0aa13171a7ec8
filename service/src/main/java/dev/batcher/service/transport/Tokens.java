package dev.batcher.service.transport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Compares tokens in constant time. Both sides are hashed with SHA-256 first, so the comparison
 * time depends neither on where the tokens differ nor on their lengths, and the daemon keeps only
 * the digest of its token.
 */
final class Tokens {
    private Tokens() {
    }

    static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    /** Tells whether {@code presented} (null when absent) hashes to {@code expectedDigest}. */
    static boolean matches(byte[] expectedDigest, String presented) {
        boolean equal = MessageDigest.isEqual(expectedDigest, digest(presented == null ? "" : presented));
        return equal && presented != null;
    }
}
