package dev.batcher.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Where a daemon started without a configured token keeps the one it generated, so that clients,
 * workers and {@code bin/batcher status} of the same user on the same host find it without being
 * told (as Jupyter does):
 *
 * <pre>
 * $XDG_RUNTIME_DIR/batcher/daemon-&lt;port&gt;.token     if XDG_RUNTIME_DIR is set (usually /run/user/&lt;uid&gt;)
 * ~/.batcher/daemon-&lt;port&gt;.token                   otherwise
 * </pre>
 *
 * The directory is created owner-only ({@code 0700}), the file is written owner-only ({@code 0600})
 * and holds the token as one line of ASCII (43 characters of URL-safe base64, 256 random bits). The
 * port is the daemon's listening port. A client reads the file only when it connects to an address
 * of this host (loopback or a local interface) and has no token of its own, so a token is never
 * sent to another machine. The daemon deletes the file when it stops. A daemon that finds the file of
 * a daemon that died on its port (killed, so it could not delete it) reuses its token
 * ({@link #reuse}), so the clients and workers of the dead one keep a valid token across the restart;
 * it refuses a file that other users could read or that another user owns.
 */
public final class TokenFile {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFile() {
    }

    /**
     * Returns the directory of the token files.
     *
     * @param env the environment ({@code System.getenv()})
     * @param home the user's home directory
     * @return {@code $XDG_RUNTIME_DIR/batcher}, or {@code home/.batcher} when the variable is unset or
     *     blank
     */
    public static Path directory(Map<String, String> env, Path home) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        return runtime == null || runtime.isBlank() ? home.resolve(".batcher") : Path.of(runtime).resolve("batcher");
    }

    /** Returns {@link #directory(Map, Path)} for this process's environment and {@code user.home}. */
    public static Path directory() {
        return directory(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * Returns the token file of the daemon listening on a port.
     *
     * @param directory the directory of the token files
     * @param port the daemon's port
     * @return {@code directory/daemon-<port>.token}
     */
    public static Path path(Path directory, int port) {
        return directory.resolve("daemon-" + port + ".token");
    }

    /** Returns a new random token: 256 bits as 43 characters of URL-safe base64. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Writes a token file owner-only, replacing an older one atomically.
     *
     * @param directory the directory of the token files (created {@code 0700} if missing)
     * @param port the daemon's port
     * @param token the token
     * @return the file
     * @throws UncheckedIOException if the directory or file cannot be written; the message names it
     */
    public static Path write(Path directory, int port, String token) {
        Path file = path(directory, port);
        try {
            boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (!Files.isDirectory(directory)) {
                try {
                    if (posix) {
                        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                                        PosixFilePermission.OWNER_EXECUTE)));
                    } else {
                        Files.createDirectories(directory);
                    }
                } catch (FileAlreadyExistsException e) {
                    // made concurrently: fine
                }
            }
            Path tmp = directory.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(tmp);
            if (posix) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
                        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
            } else {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, token + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("token file: " + file + " (expected: a file this user can write in an "
                    + "owner-only directory): " + e, e);
        }
    }

    /**
     * Reads the token a daemon that died on {@code port} left behind, for a new daemon on the same port
     * to reuse. Only an owner-only file of this user is reused.
     *
     * @param directory the directory of the token files
     * @param port the daemon's port
     * @return the token, or null if there is no file (or an empty one)
     * @throws IllegalStateException if the file is readable or writable by its group or others, or is
     *     owned by another user; the message names the file, its mode or owner, and what to do
     * @throws UncheckedIOException if the file exists but cannot be read
     */
    public static String reuse(Path directory, int port) {
        Path file = path(directory, port);
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            if (Files.isSymbolicLink(file) || !Files.isRegularFile(file)) {
                throw new IllegalStateException("token file: " + file + " is not a regular file (expected: the owner-only"
                        + " token file a daemon wrote; delete it)");
            }
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                String owner = Files.getOwner(file).getName();
                String me = System.getProperty("user.name");
                if (!owner.equals(me)) {
                    throw new IllegalStateException("token file: " + file + " is owned by " + owner + " (expected: owned by "
                            + me + ", the user running the daemon; delete it)");
                }
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
                Set<PosixFilePermission> others = java.util.EnumSet.noneOf(PosixFilePermission.class);
                others.addAll(mode);
                others.removeAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE));
                if (!others.isEmpty()) {
                    throw new IllegalStateException("token file: " + file + " has mode " + PosixFilePermissions.toString(mode)
                            + " (expected: owner-only, rw-------; other users may have read the token: delete the file"
                            + " so that the daemon generates a new one, or chmod 600 it if nobody else could)");
                }
            }
            String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return token.isEmpty() ? null : token;
        } catch (IOException e) {
            throw new UncheckedIOException("token file: " + file + " (expected: a file this user can read): " + e, e);
        }
    }

    /**
     * Reads the token of the daemon at an address, if the address is on this host and its file exists.
     *
     * @param directory the directory of the token files
     * @param address the daemon's address
     * @return the token, or null when the address is another host's, or there is no readable file
     */
    public static String find(Path directory, InetSocketAddress address) {
        if (!isThisHost(address)) {
            return null;
        }
        Path file = path(directory, address.getPort());
        try {
            String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return token.isEmpty() ? null : token;
        } catch (IOException e) {
            return null; // no daemon with a generated token on that port
        }
    }

    /**
     * Deletes a token file if it still holds {@code token} (a daemon started later on the same port
     * may have replaced it).
     *
     * @param directory the directory of the token files
     * @param port the daemon's port
     * @param token the token the caller wrote
     */
    public static void delete(Path directory, int port, String token) {
        Path file = path(directory, port);
        try {
            if (token.equals(Files.readString(file, StandardCharsets.US_ASCII).strip())) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // gone already
        }
    }

    private static boolean isThisHost(InetSocketAddress address) {
        InetAddress a = address.getAddress();
        if (a == null) {
            return false; // unresolved: never send a local token to a name we cannot place
        }
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
