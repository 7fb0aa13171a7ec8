package dev.batcher.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherSpec;
import dev.batcher.api.BatchState;
import dev.batcher.service.manager.ManagedBatcher;
import dev.batcher.service.manager.TakeOutcome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@org.junit.jupiter.api.extension.ExtendWith(dev.batcher.client.protocol.LeakCheck.class)
@Timeout(60)
class MetricsEndpointTest {
    @Test
    void getMetrics_afterTakes_servesPrometheusTextWithTheCounts() throws Exception {
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withManagerSlots(2).withMetricsPort(0);
        try (BatcherDaemon d = BatcherDaemon.start(o)) {
            ManagedBatcher b = d.manager().create("train", BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
            BatchState s = BatchState.initial(3);
            b.start(s).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                TakeOutcome.Next n = (TakeOutcome.Next) b.take(s).get(30, TimeUnit.SECONDS);
                n.batch().release();
                s = n.state();
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create("http://127.0.0.1:" + d.metricsAddress().getPort() + "/metrics");
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, res.statusCode());
            assertTrue(res.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
            String body = res.body();
            assertTrue(body.contains("batcher_batches_taken_total{batcher=\"train\"} 3\n"), body);
            assertTrue(body.contains("batcher_status{batcher=\"train\",status=\"running\"} 1\n"), body);
            assertTrue(body.contains("# TYPE batcher_take_wait_seconds_total counter\n"), body);
            assertTrue(body.contains("batcher_slots{batcher=\"train\"} 2\n"), body);
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(uri.resolve("/nope")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
            b.stop().get();
        }
    }
}
