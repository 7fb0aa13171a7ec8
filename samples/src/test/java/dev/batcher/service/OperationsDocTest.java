package dev.batcher.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.RemoteBatcherException;
import dev.batcher.api.SourceConfig;
import dev.batcher.samples.docs.Docs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What docs/operations.md says a failure looks like is what the daemon does. */
@Timeout(60)
class OperationsDocTest {
    @TempDir
    Path tmp;

    /** Returns the prose and first {@code text} block of the section under {@code heading}. */
    private static String[] section(String heading) {
        String doc = Docs.read(Docs.root().resolve("docs/operations.md"));
        int at = doc.indexOf("\n" + heading + "\n");
        assertTrue(at >= 0, "docs/operations.md has the section " + heading);
        String rest = doc.substring(at + heading.length() + 2);
        int next = rest.indexOf("\n#");
        String body = next < 0 ? rest : rest.substring(0, next);
        int open = body.indexOf("```text\n");
        int close = body.indexOf("\n```", open + 8);
        return new String[] {body, body.substring(open + 8, close).strip()};
    }

    @Test
    void create_datasetOutsideTheRoots_isRefusedAsOperationsMdShows() throws Exception {
        String[] section = section("### A dataset outside the roots");
        assertTrue(section[0].contains("`create` refuses it"), section[0]);
        Path root = Files.createDirectories(tmp.resolve("datasets"));
        Path elsewhere = Files.createDirectories(tmp.resolve("me/sleep8"));
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withManagerSlots(1)
                .withDatasetRoots(List.of(root.toString()));
        try (BatcherDaemon d = BatcherDaemon.start(o); BatcherClient c = BatcherClient.connect(d.address())) {
            RemoteBatcherException e = assertThrows(RemoteBatcherException.class, () -> c.batcher("train")
                    .create(BatcherSpec.of(elsewhere.toString(), new SourceConfig.Random(8, 30, null, "all", null, null))));
            String shown = e.getMessage().replace(elsewhere.toString(), "/home/me/sleep8")
                    .replace(root.toRealPath().toString(), "/data/datasets");
            assertEquals(section[1], shown);
        }
    }
}
