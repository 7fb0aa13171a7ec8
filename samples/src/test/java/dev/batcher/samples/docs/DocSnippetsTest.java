package dev.batcher.samples.docs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.materializers.channels.ChannelPlan;
import dev.batcher.materializers.channels.ChannelSelectors;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.Batch;
import dev.batcher.api.Taken;
import dev.batcher.api.ChannelSelection;
import dev.batcher.service.BatcherDaemon;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java snippets of the docs, compiled and run. Each sits between a {@code // doc-snippet} and a
 * {@code // end-doc-snippet} line, as the docs show it (DocsTest checks that every {@code java}
 * block of the docs is one of these, whitespace aside). They run against a daemon in this JVM over
 * the recording of the worked example in docs/dataset-format.md, indexed as getting-started.md does.
 * The fields and helpers are what the snippets' prose calls "your model", "your checkpoint".
 */
@Timeout(120)
class DocSnippetsTest {
    @TempDir
    static Path dir;
    static Path dataset;
    static BatcherDaemon daemon;
    static BatcherClient client;

    /** What the snippets call {@code model}: records a digest of every batch it is given. */
    static final class Model {
        final List<String> digests = new ArrayList<>();

        void step(FloatBuffer x, int[] xShape, IntBuffer y, int[] yShape) {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                ByteBuffer bytes = ByteBuffer.allocate(4 * (x.remaining() + y.remaining()));
                bytes.asFloatBuffer().put(x.duplicate());
                bytes.position(4 * x.remaining());
                bytes.asIntBuffer().put(y.duplicate());
                md.update(bytes.array());
                digests.add(Arrays.toString(xShape) + Arrays.toString(yShape) + HexFormat.of().formatHex(md.digest()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        double[] parameters() {
            return new double[] {digests.size()};
        }
    }

    /** What api.md calls {@code checkpoint}: the state in a file, written atomically. */
    static final class FileCheckpoint {
        final Path file;

        FileCheckpoint(Path file) {
            this.file = file;
        }

        void write(double[] parameters, String state, long step) throws IOException {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, state + "\n" + step + "\n" + Arrays.toString(parameters) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        String state() throws IOException {
            return Files.readAllLines(file).get(0);
        }
    }

    Model model = new Model();
    BatcherHandle batcher;
    BatchState state;
    long step;
    FileCheckpoint checkpoint;
    int trained;

    @BeforeAll
    static void daemon() throws Exception {
        dataset = Files.createDirectories(dir.resolve("my_dataset"));
        Files.copy(Docs.root().resolve("test-data/fixtures/doc_example/night1.h5"), dataset.resolve("night1.h5"));
        DatasetIndexer.index(dataset);
        daemon = BatcherDaemon.start(BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withManagerSlots(1));
        client = BatcherClient.connect(daemon.address());
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    // ---------------------------------------------------------------- getting-started.md

    // doc-snippet: docs/getting-started.md, a training loop in Java
    void train(InetSocketAddress daemon, String token, String dataset, Path checkpoint, long steps)
            throws IOException {
        try (BatcherClient client = BatcherClient.connect(daemon, token)) {
            BatcherHandle train = client.batcher("train");
            train.create(BatcherSpec.of(dataset,           // a path the daemon and its workers can read
                    new SourceConfig.Random(32, 30, null, "names:C3-M2,C4-M1", null, null)));
            BatchState state = Files.exists(checkpoint)   // resume, or start the stream of seed 42
                    ? BatchState.parse(Files.readString(checkpoint).strip())
                    : BatchState.initial(42);
            train.start(state);
            for (long step = state.batch(); step < steps; step++) {
                Taken.Next next = (Taken.Next) train.take(state);   // a random source never ends
                try (Batch batch = next.batch()) {                   // closing it frees its memory
                    model.step(batch.x(), batch.xShape(), batch.y(), batch.yShape());
                }
                state = next.state();
                if ((step + 1) % 100 == 0) {   // save the state with the weights: write, then rename
                    Path tmp = checkpoint.resolveSibling(checkpoint.getFileName() + ".tmp");
                    Files.writeString(tmp, state.toString());
                    Files.move(tmp, checkpoint, StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
            train.stop();
        }
    }
    // end-doc-snippet

    @Test
    void gettingStarted_trainingLoop_resumesFromItsCheckpointWithTheSameBatches() throws Exception {
        Path file = dir.resolve("train.checkpoint");
        train(daemon.address(), null, dataset.toString(), file, 110);
        List<String> first = List.copyOf(model.digests);
        assertEquals(110, first.size());
        assertEquals("seed=42,batch=100", Files.readString(file), "the checkpoint after step 100");
        assertTrue(first.get(0).startsWith("[32, 2, 3840][32, 1, 1]"), first.get(0));

        // "Killed" after step 110: the next run resumes at the checkpoint's batch 100.
        model = new Model();
        train(daemon.address(), null, dataset.toString(), file, 130);
        assertEquals(30, model.digests.size());
        assertEquals(first.subList(100, 110), model.digests.subList(0, 10), "batches 100 to 109 again, the same bytes");
        assertEquals("seed=42,batch=100", Files.readString(file));
    }

    // ---------------------------------------------------------------- api.md

    void train(FloatBuffer x, IntBuffer y) {
        assertTrue(x.remaining() > 0 && y.remaining() > 0);
        trained++;
    }

    @Test
    void api_states() {
        // doc-snippet: docs/api.md, States
        BatchState s = BatchState.initial(42);      // seed=42,batch=0
        String text = s.toString();                 // "seed=42,batch=0": put this in your checkpoint
        BatchState back = BatchState.parse(text);   // equal to s
        // end-doc-snippet
        assertEquals("seed=42,batch=0", text);
        assertEquals(s, back);
    }

    void apiTake() {
        // doc-snippet: docs/api.md, take(state)
        Taken t = batcher.take(state);
        if (t instanceof Taken.Next next) {
            try (Batch batch = next.batch()) {      // x: float32 [batch, channels, samples]; y: int32 labels
                train(batch.x(), batch.y());
            }
            state = next.state();                   // the state after this batch
        } else {
            // Taken.End: a finite source (for example sequential validation windows) is exhausted
        }
        // end-doc-snippet
    }

    @Test
    void api_take_returnsTheBatchAndTheNextState() {
        batcher = client.batcher("api-take");
        batcher.create(BatcherSpec.of(dataset.toString(), new SourceConfig.Random(4, 30, null, null, null, null)));
        state = BatchState.initial(3);
        batcher.start(state);
        apiTake();
        apiTake();
        assertEquals(2, trained);
        assertEquals(BatchState.parse("seed=3,batch=2"), state);
        batcher.stop();
    }

    void apiCheckpoint() throws IOException {
        // doc-snippet: docs/api.md, Checkpointing
        // every N steps
        checkpoint.write(model.parameters(), state.toString(), step);   // temp file + rename
        // on restart
        BatchState state = BatchState.parse(checkpoint.state());
        batcher.start(state);          // or just take(state): a running batcher restarts there
        // end-doc-snippet
    }

    @Test
    void api_checkpoint_startsWhereTheCheckpointSays() throws Exception {
        batcher = client.batcher("api-checkpoint");
        batcher.create(BatcherSpec.of(dataset.toString(), new SourceConfig.Random(4, 30, null, null, null, null)));
        checkpoint = new FileCheckpoint(dir.resolve("api.checkpoint"));
        state = BatchState.parse("seed=5,batch=7");
        step = 7;
        apiCheckpoint();
        assertEquals("seed=5,batch=7", batcher.status().state());
        Taken.Next next = (Taken.Next) batcher.take(state);
        next.batch().close();
        assertEquals(BatchState.parse("seed=5,batch=8"), next.state());
        batcher.stop();
    }

    // ---------------------------------------------------------------- extending.md

    @Test
    void extending_contract_isTheRealInterfaces() {
        assertSameMethods(ExtendingContract.ChannelSelectorProvider.class,
                dev.batcher.materializers.channels.ChannelSelectorProvider.class);
        assertSameMethods(ExtendingContract.ChannelPlan.class, ChannelPlan.class);
    }

    static void assertSameMethods(Class<?> documented, Class<?> real) {
        assertEquals(signatures(real), signatures(documented), "docs/extending.md's " + documented.getSimpleName());
    }

    static Set<String> signatures(Class<?> type) {
        Set<String> out = new TreeSet<>();
        for (Method m : type.getDeclaredMethods()) {
            if (java.lang.reflect.Modifier.isAbstract(m.getModifiers())) {
                out.add(m.getGenericReturnType().getTypeName().replaceAll("[\\w.]+\\$|dev\\.batcher\\.materializers\\.channels\\.", "")
                        + " " + m.getName() + Arrays.stream(m.getGenericParameterTypes()).map(t -> t.getTypeName()).toList());
            }
        }
        return out;
    }

    @Test
    void extending_commonAverageReference_isFoundAndComputesTheReference() {
        List<String> channelNames = List.of("C3", "C4", "O1");
        // doc-snippet: docs/extending.md, Checking that it is found
        System.out.println(ChannelSelectors.selectorNames());   // [all, names, fill, montage, kind, car]
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("car:C3,O1"), channelNames);
        // end-doc-snippet
        assertEquals(List.of("all", "names", "fill", "montage", "kind", "car"), ChannelSelectors.selectorNames());
        assertEquals(List.of("C3", "O1"), plan.outputNames());
        float[][] inputs = {{3, 6}, {0, 3}, {-3, 0}};
        float[] out = new float[4];
        plan.apply(Kernels.scalar(), inputs, out, 0, 2);
        // C3 - mean(C3, C4, O1) and O1 - mean(...), sample by sample: means 0 and 3.
        assertArrayEquals(new float[] {3, 3, -3, -3}, out, 1e-5f);
    }
}
