package dev.batcher.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.protocol.ErrorFrames;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.HandshakeCompleted;
import dev.batcher.client.protocol.HandshakeHandler;
import dev.batcher.client.protocol.Hello;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.client.protocol.Op;
import dev.batcher.client.protocol.ProtocolException;
import dev.batcher.client.protocol.Welcome;
import dev.batcher.client.protocol.TrackingAllocator;
import dev.batcher.client.protocol.WireConfig;
import dev.batcher.client.protocol.WireInitializer;
import dev.batcher.api.BatchState;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A daemon for tests that speaks section 12 of {@code docs/protocol.md} over real TCP on
 * 127.0.0.1, for batchers whose behaviour is scripted: batches are generated from the state (see
 * {@link #x} and {@link #y}), a finite source ends at {@link Script#endAt}, a batch can fail, and
 * takes can be left unanswered. It records every request and {@code CANCEL} it receives. Like the
 * real daemon, it stops the batchers a client started when that client's connection closes.
 * Buffers come from a {@link TrackingAllocator}.
 */
final class FakeDaemon implements AutoCloseable {
    /** How a batcher behaves. */
    static final class Script {
        /** Shape of x; the payload values come from {@link #x}. */
        volatile int[] xShape = {2, 2, 3};
        /** Shape of y; the payload values come from {@link #y}. */
        volatile int[] yShape = {2, 1, 1};
        /** The batch index at which the source ends ({@code take} answers end). */
        volatile long endAt = Long.MAX_VALUE;
        /** The batch index whose take fails with code {@code failed}, or -1. */
        volatile long failAt = -1;
        /** How many of the next takes are left unanswered. */
        final AtomicInteger hangTakes = new AtomicInteger();
        /** Whether an unanswered take is answered (late) when its CANCEL arrives. */
        volatile boolean answerOnCancel;
    }

    /** A request as received. */
    record Request(int connection, long id, String op, String batcher, String state) {
        /** Returns {@code op} or {@code op state}, for compact assertions. */
        String brief() {
            return state == null ? op : op + " " + state;
        }
    }

    /** A scripted batcher's state on the daemon. */
    private static final class FakeBatcher {
        final String name;
        final BatcherSpec spec;
        final Script script;
        Status status = Status.STOPPED;
        BatchState position;
        long taken;
        Channel startedBy;

        FakeBatcher(String name, BatcherSpec spec, Script script) {
            this.name = name;
            this.spec = spec;
            this.script = script;
        }

        BatcherStatus describe() {
            return new BatcherStatus(name, status, null, position == null ? null : position.toString(),
                    taken, taken, 0, 0, 5, 0, 0, 0, 1, 2, false, 1.5, 0.25, 0, 0, 0, 0, 0);
        }
    }

    static final String VERSION = "fake-1";
    static final String FAILURE_MESSAGE = "read failed: /data/a.h5";

    final TrackingAllocator allocator = new TrackingAllocator();
    final Queue<Request> requests = new ConcurrentLinkedQueue<>();
    final Queue<Long> cancels = new ConcurrentLinkedQueue<>();
    final Queue<Throwable> exceptions = new ConcurrentLinkedQueue<>();
    /** ERROR frames received from clients. */
    final Queue<RemoteBatcherException> errors = new ConcurrentLinkedQueue<>();
    private final Map<String, FakeBatcher> batchers = new ConcurrentHashMap<>();
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final EventLoopGroup group;
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel server;

    private FakeDaemon(int port, String token) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        WireConfig config = WireConfig.defaults();
        ServerBootstrap bootstrap = new ServerBootstrap().group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                .childHandler(WireInitializer.of(config, () -> new FakeServerHandshake(config, token), Handler::new));
        WireInitializer.applyOptions(bootstrap, config);
        try {
            server = bootstrap.bind(WireInitializer.loopback(port)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Starts a daemon on an ephemeral port of 127.0.0.1. */
    static FakeDaemon start(String token) throws InterruptedException {
        return new FakeDaemon(0, token);
    }

    /** Starts a daemon on a given port of 127.0.0.1 (to simulate a restart). */
    static FakeDaemon start(int port, String token) throws InterruptedException {
        return new FakeDaemon(port, token);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Returns the script of a batcher (created on first use), to change before the client acts. */
    Script script(String name) {
        return scripts.computeIfAbsent(name, n -> new Script());
    }

    /** Requests received so far, as {@link Request#brief()}, for one connection (1 = first). */
    List<String> briefs(int connection) {
        List<String> out = new ArrayList<>();
        for (Request r : requests) {
            if (r.connection() == connection) {
                out.add(r.brief());
            }
        }
        return out;
    }

    /** Returns the last request with that op. */
    Request last(String op) {
        Request found = null;
        for (Request r : requests) {
            if (r.op().equals(op)) {
                found = r;
            }
        }
        return found;
    }

    int connections() {
        return connections.get();
    }

    /** The float at index {@code i} of x for the batch at {@code state}: exact in float32. */
    static float x(BatchState state, int i) {
        return state.batch() * 1000 + i + (state.seed() % 7) * 0.25f;
    }

    /** The int at index {@code i} of y for the batch at {@code state}. */
    static int y(BatchState state, int i) {
        return (int) (state.batch() * 10 + i + state.seed() % 7);
    }

    static int elements(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Sends each client connection a frame made by {@code frame}, then closes it if asked. */
    void sendToClients(Supplier<Frame> frame, boolean close) throws InterruptedException {
        for (Channel child : children) {
            ChannelFuture written = child.writeAndFlush(frame.get());
            if (close) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
            written.await(5, TimeUnit.SECONDS);
        }
    }

    /** Closes every client connection abruptly (no GOODBYE), as a crashing daemon would. */
    void dropConnections() throws InterruptedException {
        children.close().await(5, TimeUnit.SECONDS);
    }

    /** Drops the connections, closes the listening socket and stops the event loop. */
    @Override
    public void close() throws InterruptedException {
        dropConnections();
        server.close().await(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** A take left unanswered. */
    private record Hanging(FakeBatcher batcher, BatchState state) {}

    /** The business handler of one client connection. */
    private final class Handler extends ChannelInboundHandlerAdapter {
        private int connection;
        private final Map<Long, Hanging> hanging = new LinkedHashMap<>();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            children.add(ctx.channel());
            connection = connections.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame frame = (Frame) msg;
            try {
                switch (frame.type()) {
                    case REQUEST:
                        request(ctx, frame.id(), frame.header());
                        break;
                    case CANCEL:
                        cancels.add(frame.id());
                        Hanging take = hanging.remove(frame.id());
                        if (take != null && take.batcher().script.answerOnCancel) {
                            ctx.writeAndFlush(batch(ctx, frame.id(), take.batcher(), take.state()));
                        }
                        break;
                    case GOODBYE:
                        ctx.close();
                        break;
                    case ERROR:
                        errors.add(ErrorFrames.toException(frame));
                        break;
                    default:
                        exceptions.add(new AssertionError("unexpected frame " + frame));
                        break;
                }
            } catch (RuntimeException e) {
                exceptions.add(e);
                ctx.writeAndFlush(ErrorFrames.error(frame.id(), ErrorFrames.CODE_INTERNAL, e, Map.of()));
            } finally {
                frame.release();
            }
        }

        private void request(ChannelHandlerContext ctx, long id, JsonNode header) {
            String op = header.path("op").asText("");
            String name = header.hasNonNull("batcher") ? header.get("batcher").asText() : null;
            String stateText = header.hasNonNull("state") ? header.get("state").asText() : null;
            requests.add(new Request(connection, id, op, name, stateText));
            if (op.equals(Op.LIST.wireName())) {
                ObjectNode answer = Frame.newHeader();
                ArrayNode list = answer.putArray("batchers");
                batchers.values().stream().sorted((a, b) -> a.name.compareTo(b.name))
                        .forEach(b -> list.add(BatcherJson.toTree(b.describe())));
                respond(ctx, id, answer);
                return;
            }
            if (op.equals(Op.CREATE.wireName())) {
                create(ctx, id, name, header.get("spec"));
                return;
            }
            FakeBatcher b = name == null ? null : batchers.get(name);
            if (b == null) {
                badRequest(ctx, id, "unknown batcher: " + name + " (op " + op + ")");
                return;
            }
            switch (Op.fromWireName(op)) {
                case START: {
                    ObjectNode answer = Frame.newHeader();
                    if (b.status == Status.RUNNING) {
                        answer.put("started", false);
                    } else {
                        b.status = Status.RUNNING;
                        b.position = BatchState.parse(stateText);
                        b.startedBy = ctx.channel();
                        answer.put("started", true);
                    }
                    respond(ctx, id, answer);
                    break;
                }
                case TAKE:
                    take(ctx, id, b, BatchState.parse(stateText));
                    break;
                case STOP:
                    b.status = Status.CLOSED;
                    respond(ctx, id, Frame.newHeader());
                    break;
                case STATUS: {
                    ObjectNode answer = Frame.newHeader();
                    answer.set("status", BatcherJson.toTree(b.describe()));
                    respond(ctx, id, answer);
                    break;
                }
                default:
                    badRequest(ctx, id, "unknown op: " + op);
                    break;
            }
        }

        private void create(ChannelHandlerContext ctx, long id, String name, JsonNode specTree) {
            BatcherSpec spec;
            try {
                spec = BatcherJson.fromTree(specTree, BatcherSpec.class);
            } catch (IllegalArgumentException e) {
                ctx.writeAndFlush(ErrorFrames.error(id, ErrorFrames.CODE_BAD_REQUEST, e, Map.of()));
                return;
            }
            FakeBatcher existing = batchers.get(name);
            if (existing != null && !existing.spec.equals(spec)) {
                badRequest(ctx, id, "batcher " + name + " exists with another spec");
                return;
            }
            if (existing == null) {
                batchers.put(name, new FakeBatcher(name, spec, script(name)));
            }
            ObjectNode answer = Frame.newHeader();
            answer.put("created", existing == null);
            respond(ctx, id, answer);
        }

        private void take(ChannelHandlerContext ctx, long id, FakeBatcher b, BatchState state) {
            if (b.status != Status.RUNNING) {
                ctx.writeAndFlush(ErrorFrames.error(id, "not_running",
                        new IllegalStateException("batcher " + b.name + " is " + b.status
                                + " with nothing buffered: call start"),
                        Map.of("batcher", b.name, "status", b.status.name())));
                return;
            }
            if (b.script.hangTakes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                hanging.put(id, new Hanging(b, state));
                return;
            }
            if (state.batch() == b.script.failAt) {
                UncheckedIOException failure = new UncheckedIOException(FAILURE_MESSAGE,
                        new IOException("truncated chunk"));
                Map<String, String> context = new LinkedHashMap<>();
                context.put("batcher", b.name);
                context.put("worker", "w1");
                context.put("state", state.toString());
                context.put("batch", "recording r1, file a.h5, dataset /signal, samples [0, 7680)");
                context.put("attempts", "5");
                ctx.writeAndFlush(ErrorFrames.error(id, "failed", failure, context));
                b.status = Status.FAILED;
                return;
            }
            if (state.batch() >= b.script.endAt) {
                ObjectNode answer = Frame.newHeader();
                answer.put("end", true);
                answer.put("last", state.toString());
                respond(ctx, id, answer);
                return;
            }
            b.position = state.next();
            b.taken++;
            ctx.writeAndFlush(batch(ctx, id, b, state));
        }

        private Frame batch(ChannelHandlerContext ctx, long id, FakeBatcher b, BatchState state) {
            int[] xShape = b.script.xShape;
            int[] yShape = b.script.yShape;
            int nx = elements(xShape);
            int ny = elements(yShape);
            ByteBuf payload = ctx.alloc().ioBuffer((nx + ny) * 4);
            for (int i = 0; i < nx; i++) {
                payload.writeFloatLE(x(state, i));
            }
            for (int i = 0; i < ny; i++) {
                payload.writeIntLE(y(state, i));
            }
            ObjectNode header = Frame.newHeader();
            header.put("state", state.next().toString());
            header.put("previous", state.toString());
            header.put("byteOrder", "little");
            ObjectNode x = header.putObject("x");
            x.put("dtype", "float32");
            ArrayNode xs = x.putArray("shape");
            for (int d : xShape) {
                xs.add(d);
            }
            ObjectNode y = header.putObject("y");
            y.put("dtype", "int32");
            ArrayNode ys = y.putArray("shape");
            for (int d : yShape) {
                ys.add(d);
            }
            return Frame.of(MessageType.BATCH, id, header, payload);
        }

        private void respond(ChannelHandlerContext ctx, long id, ObjectNode header) {
            ctx.writeAndFlush(Frame.of(MessageType.RESPONSE, id, header));
        }

        private void badRequest(ChannelHandlerContext ctx, long id, String message) {
            ctx.writeAndFlush(ErrorFrames.error(id, ErrorFrames.CODE_BAD_REQUEST,
                    new IllegalArgumentException(message), Map.of()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            for (FakeBatcher b : batchers.values()) {
                if (b.startedBy == ctx.channel() && b.status == Status.RUNNING) {
                    b.status = Status.STOPPED;
                }
            }
            ctx.fireChannelInactive();
        }
    }

    /**
     * The daemon's half of the handshake, as far as this fake needs it (the real one lives with the
     * daemon, outside the client jar): HELLO first, the token compared as is, WELCOME back.
     */
    private static final class FakeServerHandshake extends HandshakeHandler {
        private final Welcome welcome;
        private final String token;

        FakeServerHandshake(WireConfig config, String token) {
            super(config.handshakeTimeout());
            this.welcome = new Welcome(VERSION, config.heartbeatInterval(), config.maxFrameLength());
            this.token = token;
        }

        @Override
        protected String awaited() {
            return "HELLO";
        }

        @Override
        protected void onStart(ChannelHandlerContext ctx) {
        }

        @Override
        protected void onFrame(ChannelHandlerContext ctx, Frame frame) {
            Hello hello = Hello.decode(frame);
            if (token != null && !token.equals(hello.token())) {
                throw new ProtocolException(ErrorFrames.CODE_UNAUTHORIZED, "hello.token",
                        hello.token() == null ? "absent" : "<redacted>", "the token configured on the daemon");
            }
            ctx.writeAndFlush(welcome.toFrame(frame.id()));
            succeed(ctx, new HandshakeCompleted(hello.withoutToken(), welcome));
        }
    }
}
