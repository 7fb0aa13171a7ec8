package dev.batcher.service.metrics;

import dev.batcher.client.BatcherStatus;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Answers {@code GET /metrics} with every batcher's status in Prometheus text format. */
final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Supplier<CompletableFuture<List<BatcherStatus>>> statuses;

    MetricsHandler(Supplier<CompletableFuture<List<BatcherStatus>>> statuses) {
        this.statuses = statuses;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = req.uri().split("\\?", 2)[0];
        if (req.method() != HttpMethod.GET || !path.equals("/metrics")) {
            respond(ctx, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                    "not found: " + req.method() + " " + path + " (expected: GET /metrics)\n");
            return;
        }
        statuses.get().whenComplete((list, error) -> {
            if (error != null) {
                respond(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", error + "\n");
            } else {
                respond(ctx, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", PrometheusFormat.render(list));
            }
        });
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
