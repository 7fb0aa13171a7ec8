package dev.batcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.protocol.WireConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {

    @Test
    void defaults_documentedValues() {
        ClientOptions options = ClientOptions.defaults();
        assertNull(options.token());
        assertEquals(Duration.ofSeconds(10), options.connectTimeout());
        assertEquals(Duration.ofSeconds(30), options.requestTimeout());
        assertEquals(Duration.ofSeconds(60), options.takeTimeout());
        assertEquals(WireConfig.defaults(), options.wire());
        assertEquals("java-client-" + ProcessHandle.current().pid(), options.clientName());
        assertNull(options.eventLoopGroup());
    }

    @Test
    void with_eachField_changesOnlyThatField() {
        ClientOptions base = ClientOptions.defaults();
        WireConfig wire = WireConfig.defaults().withHandshakeTimeout(Duration.ofSeconds(2));
        ClientOptions changed = base.withToken("t").withConnectTimeout(Duration.ofSeconds(1))
                .withRequestTimeout(Duration.ofSeconds(2)).withTakeTimeout(Duration.ofSeconds(3))
                .withWire(wire).withClientName("trainer-0");
        assertEquals(new ClientOptions("t", Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(3), wire, "trainer-0", null, false, true), changed);
        assertEquals(false, changed.withSharedMemory(false).sharedMemory());
        assertEquals(base, changed.withToken(null).withConnectTimeout(base.connectTimeout())
                .withRequestTimeout(base.requestTimeout()).withTakeTimeout(base.takeTimeout())
                .withWire(base.wire()).withClientName(base.clientName()).withEventLoopGroup(null));
    }

    @Test
    void toString_tokenSet_isRedacted() {
        String text = ClientOptions.defaults().withToken("s3cret").toString();
        assertFalse(text.contains("s3cret"), text);
        assertTrue(text.contains("token=<redacted>"), text);
    }

    @Test
    void constructor_badValues_throwNamingTheField() {
        ClientOptions options = ClientOptions.defaults();
        assertEquals("token: \"\" (expected: null for no token, or the daemon's non-empty token)",
                assertThrows(IllegalArgumentException.class, () -> options.withToken("")).getMessage());
        assertEquals("takeTimeout: PT0S (expected: in [1 ms, 1 day])",
                assertThrows(IllegalArgumentException.class,
                        () -> options.withTakeTimeout(Duration.ZERO)).getMessage());
        assertEquals("requestTimeout", assertThrows(NullPointerException.class,
                () -> options.withRequestTimeout(null)).getMessage());
        assertEquals("clientName: \" \" (expected: a non-blank name of at most 128 characters)",
                assertThrows(IllegalArgumentException.class, () -> options.withClientName(" "))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> options.withClientName("n".repeat(129)));
    }
}
