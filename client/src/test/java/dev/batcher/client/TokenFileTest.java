package dev.batcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated-token file: where it lives, its permissions, and who may read it back. */
class TokenFileTest {
    @TempDir
    Path tmp;

    @Test
    void directory_xdgRuntimeDirSetOrNot_runtimeDirElseHome() {
        assertEquals(Path.of("/run/user/7/batcher"), TokenFile.directory(Map.of("XDG_RUNTIME_DIR", "/run/user/7"), Path.of("/h")));
        assertEquals(Path.of("/h/.batcher"), TokenFile.directory(Map.of(), Path.of("/h")));
        assertEquals(Path.of("/h/.batcher"), TokenFile.directory(Map.of("XDG_RUNTIME_DIR", " "), Path.of("/h")));
    }

    @Test
    void write_newDirectory_ownerOnlyDirectoryAndFile() throws Exception {
        Path dir = tmp.resolve("runtime").resolve("batcher");
        String token = TokenFile.generate();
        Path file = TokenFile.write(dir, 4242, token);

        assertEquals(dir.resolve("daemon-4242.token"), file);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(token + "\n", Files.readString(file));
        assertEquals(43, token.length());
        assertFalse(token.equals(TokenFile.generate()), "random");
    }

    @Test
    void find_loopbackOrRemoteAddress_readsOnlyForThisHost() throws Exception {
        String token = TokenFile.generate();
        TokenFile.write(tmp, 4243, token);

        assertEquals(token, TokenFile.find(tmp, new InetSocketAddress(InetAddress.getLoopbackAddress(), 4243)));
        assertNull(TokenFile.find(tmp, new InetSocketAddress(InetAddress.getLoopbackAddress(), 4244)), "another port");
        assertNull(TokenFile.find(tmp, new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 4243)),
                "never sent to another host");
        assertNull(TokenFile.find(tmp, InetSocketAddress.createUnresolved("example.org", 4243)));
    }

    @Test
    void delete_fileReplacedByAnotherDaemon_keepsIt() throws Exception {
        String mine = TokenFile.generate();
        TokenFile.write(tmp, 4245, mine);
        String theirs = TokenFile.generate();
        TokenFile.write(tmp, 4245, theirs);

        TokenFile.delete(tmp, 4245, mine);
        assertTrue(Files.exists(TokenFile.path(tmp, 4245)), "a later daemon's file stays");
        TokenFile.delete(tmp, 4245, theirs);
        assertFalse(Files.exists(TokenFile.path(tmp, 4245)));
    }

    @Test
    void reuse_ownerOnlyFileOfADeadDaemon_returnsItsToken() {
        String token = TokenFile.generate();
        TokenFile.write(tmp, 4246, token);
        assertEquals(token, TokenFile.reuse(tmp, 4246));
        assertNull(TokenFile.reuse(tmp, 4247), "no file: nothing to reuse");
    }

    @Test
    void reuse_fileOthersCanRead_refusedNamingTheFileAndTheMode() throws Exception {
        TokenFile.write(tmp, 4248, TokenFile.generate());
        Path file = TokenFile.path(tmp, 4248);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TokenFile.reuse(tmp, 4248));
        assertTrue(e.getMessage().contains(file + " has mode rw-r--r-- (expected: owner-only, rw-------"), e.getMessage());
    }
}
