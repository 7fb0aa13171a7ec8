package dev.batcher.client.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.RemoteBatcherException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class ErrorFramesTest {
    private static Frame throughWire(Frame frame) {
        ByteBuf bytes = WireTestSupport.encode(frame);
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder());
        decoder.writeInbound(bytes);
        Frame decoded = decoder.readInbound();
        decoder.finishAndReleaseAll();
        return decoded;
    }

    private static Exception failingRead() {
        return new UncheckedIOException("chunk 3 unreadable",
                new java.io.IOException("checksum mismatch"));
    }

    @Test
    void jobFailure_throughWire_preservesClassMessageStackAndContext() {
        Map<String, String> context = new LinkedHashMap<>();
        context.put(RemoteBatcherException.CONTEXT_WORKER, "w1");
        context.put(RemoteBatcherException.CONTEXT_FILE, "/data/a.h5");
        context.put(RemoteBatcherException.CONTEXT_WINDOW, "17");

        Frame frame = throughWire(ErrorFrames.jobFailure(12, failingRead(), context));
        RemoteBatcherException e = ErrorFrames.toException(frame);

        assertEquals(MessageType.JOB_FAILURE, frame.type());
        assertEquals(12, frame.id());
        assertEquals(ErrorFrames.CODE_INTERNAL, e.code());
        assertEquals(UncheckedIOException.class.getName(), e.remoteClass());
        assertEquals("chunk 3 unreadable", e.remoteMessage());
        assertTrue(e.remoteStack().contains("failingRead"), e.remoteStack());
        assertTrue(e.remoteStack().contains("Caused by: java.io.IOException: checksum mismatch"));
        assertEquals(context, e.context());
        assertEquals("chunk 3 unreadable [code=internal, worker=w1, file=/data/a.h5, window=17]", e.getMessage());
        assertTrue(e.toString().contains("Remote stack trace:"));
        assertTrue(e.toString().contains("checksum mismatch"));
        frame.release();
    }

    @Test
    void error_relayedRemoteFailure_keepsOriginalAndAddsContext() {
        Frame fromWorker = throughWire(ErrorFrames.jobFailure(3, failingRead(),
                Map.of(RemoteBatcherException.CONTEXT_WORKER, "w2")));
        RemoteBatcherException atDaemon = ErrorFrames.toException(fromWorker);
        fromWorker.release();

        Frame toClient = throughWire(ErrorFrames.error(41, atDaemon, Map.of("stream", "train")));
        RemoteBatcherException atClient = ErrorFrames.toException(toClient);

        assertEquals(MessageType.ERROR, toClient.type());
        assertEquals(41, toClient.id());
        assertEquals(atDaemon.remoteClass(), atClient.remoteClass());
        assertEquals(atDaemon.remoteMessage(), atClient.remoteMessage());
        assertEquals(atDaemon.remoteStack(), atClient.remoteStack());
        assertEquals(Map.of("worker", "w2", "stream", "train"), atClient.context());
        toClient.release();
    }

    @Test
    void codeOf_knownExceptions_mapToTheirCodes() {
        assertEquals(ErrorFrames.CODE_UNAUTHORIZED, ErrorFrames.codeOf(
                new ProtocolException(ErrorFrames.CODE_UNAUTHORIZED, "hello.token", "absent", "x")));
        assertEquals(ErrorFrames.CODE_TIMEOUT, ErrorFrames.codeOf(
                new PeerTimeoutException("heartbeat", java.time.Duration.ofSeconds(1), "m")));
        assertEquals(ErrorFrames.CODE_CANCELLED, ErrorFrames.codeOf(new CancellationException()));
        assertEquals(ErrorFrames.CODE_INTERNAL, ErrorFrames.codeOf(new IllegalStateException()));
    }

    @Test
    void toException_emptyHeader_usesDefaults() {
        Frame frame = Frame.of(MessageType.ERROR, 0);
        RemoteBatcherException e = ErrorFrames.toException(frame);
        assertEquals(ErrorFrames.CODE_INTERNAL, e.code());
        assertEquals("unknown", e.remoteClass());
        assertEquals("", e.remoteMessage());
        assertEquals("", e.remoteStack());
        assertTrue(e.context().isEmpty());
        assertFalse(e.toString().contains("Remote stack trace"));
        frame.release();
    }

    @Test
    void toException_otherType_throwsIllegalArgument() {
        Frame frame = Frame.of(MessageType.BATCH, 0);
        assertThrows(IllegalArgumentException.class, () -> ErrorFrames.toException(frame));
        frame.release();
    }

    @Test
    void header_hugeMessage_cutToLimit() {
        String huge = "x".repeat(ErrorFrames.MAX_MESSAGE_CHARS * 3);
        String message = ErrorFrames.header(ErrorFrames.CODE_INTERNAL, new IllegalStateException(huge),
                Map.of()).get("message").asText();
        assertTrue(message.length() < ErrorFrames.MAX_MESSAGE_CHARS + 50, "length " + message.length());
        assertTrue(message.endsWith("characters cut)"));
    }

    @Test
    void header_wrapperOfACause_carriesTheCausesMessageNotItsClassName() {
        Exception wrapped = new java.util.concurrent.CompletionException(new UncheckedIOException(
                new java.io.IOException("disk gone")));
        var header = ErrorFrames.header(ErrorFrames.CODE_INTERNAL, wrapped, Map.of());
        assertEquals("disk gone", header.get("message").asText());
        assertEquals("java.util.concurrent.CompletionException", header.get("class").asText());
        assertTrue(header.get("stack").asText().contains("Caused by: java.io.IOException: disk gone"));
        Exception ownMessage = new IllegalStateException("no slot free", new java.io.IOException("disk gone"));
        assertEquals("no slot free", ErrorFrames.header(ErrorFrames.CODE_INTERNAL, ownMessage, Map.of())
                .get("message").asText());
    }

    @Test
    void error_refusedRequest_hasNoStackAndReadsAsItsMessageAndCode() {
        Frame frame = throughWire(ErrorFrames.error(5, ErrorFrames.CODE_BAD_REQUEST,
                new IllegalArgumentException("batchSize: 0 (expected: > 0)"), Map.of()));
        RemoteBatcherException e = ErrorFrames.toException(frame);
        assertFalse(frame.header().has("stack"), frame.header().toString());
        assertEquals(IllegalArgumentException.class.getName(), e.remoteClass());
        assertEquals("batchSize: 0 (expected: > 0) [code=bad_request]", e.getMessage());
        assertEquals(RemoteBatcherException.class.getName() + ": batchSize: 0 (expected: > 0) [code=bad_request]",
                e.toString());
        frame.release();
    }

    @Test
    void toException_noMessage_namesTheRemoteClass() {
        Frame frame = throughWire(ErrorFrames.error(6, ErrorFrames.CODE_INTERNAL, new IllegalStateException(), Map.of()));
        assertEquals("java.lang.IllegalStateException [code=internal]", ErrorFrames.toException(frame).getMessage());
        frame.release();
    }

    @Test
    void header_nullMessage_becomesEmpty() {
        assertEquals("", ErrorFrames.header(ErrorFrames.CODE_INTERNAL, new IllegalStateException(),
                Map.of()).get("message").asText());
    }
}
