package dev.batcher.testdata;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.filter.PipelineFilterWithData;
import io.jhdf.object.message.DataLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class SyntheticDatasetTest {
    /** Three recordings of 6 to 12 minutes: small enough to write in well under a second. */
    private static final GeneratorOptions SMALL =
            GeneratorOptions.builder().seed(20240601L).recordings(3).hours(0.1, 0.2).build();

    private static final Set<String> SIGNAL_ATTRIBUTES =
            Set.of("channels", "sample_rate", "resolution", "offset", "unit", "start_ns", "labels");
    private static final Set<String> LABEL_ATTRIBUTES = Set.of("sample_rate", "start_ns", "encoding", "channels");

    @Test
    void generate_smallDataset_writesOneH5FilePerRecordingAndNothingElse(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("dataset");

        GenerationReport report = SyntheticDataset.generate(out, SMALL);

        assertEquals(List.of("rec-0000.h5", "rec-0001.h5", "rec-0002.h5"), Recordings.names(out));
        assertEquals(3, report.recordings().size());
        assertEquals(List.of(out.resolve("rec-0000.h5"), out.resolve("rec-0001.h5"), out.resolve("rec-0002.h5")),
                report.files());
        long total = 0;
        long samples = 0;
        for (GeneratedRecording recording : report.recordings()) {
            assertEquals(Files.size(recording.file()), recording.bytes());
            total += recording.bytes();
            samples += 2L * recording.signal().channels().size() * recording.signal().samples();
        }
        assertEquals(total, report.totalBytes());
        assertEquals(samples, report.sampleBytes());
        assertEquals(out, report.directory());
        assertTrue(report.megabytesPerSecond() > 0, report::toString);
    }

    @Test
    void generate_smallDataset_attributesShapesAndLabelsFollowTheFormat(@TempDir Path dir) {
        GenerationReport report = SyntheticDataset.generate(dir.resolve("dataset"), SMALL);

        Set<List<String>> channelSets = new HashSet<>();
        Set<Long> lengths = new HashSet<>();
        for (GeneratedRecording recording : report.recordings()) {
            Recordings.Read read = Recordings.read(recording.file());
            assertEquals(recording.recording(), read.rootAttributes().get("recording"));
            assertTrue(Set.of("recording", "_jHDF").containsAll(read.rootAttributes().keySet()),
                    () -> "root attributes " + read.rootAttributes().keySet());

            Map<String, Object> s = read.signalAttributes();
            assertEquals(SIGNAL_ATTRIBUTES, s.keySet());
            List<String> channels = List.of((String[]) s.get("channels"));
            double signalStart = (Double) s.get("start_ns");
            assertEquals(Math.rint(signalStart), signalStart, "start_ns holds whole nanoseconds");
            SignalInfo signal = new SignalInfo(SyntheticDataset.SIGNAL_DATASET, SampleType.INT16, channels,
                    (Double) s.get("sample_rate"), (Double) s.get("resolution"), (Double) s.get("offset"),
                    (String) s.get("unit"), (long) signalStart, read.signal()[0].length);
            assertEquals(recording.signal(), signal);
            assertEquals(256.0, signal.sampleRate());
            assertEquals("microvolt", signal.unit());
            assertEquals(SyntheticDataset.LABEL_DATASET, s.get("labels"));
            assertTrue(Set.of(0.0625, 0.1953125, 0.125, 0.09765625).contains(signal.resolution()),
                    () -> "resolution " + signal.resolution());
            assertNotEquals(0.0, signal.offset());
            assertEquals(channels.size(), read.signal().length);
            for (short[] row : read.signal()) {
                assertEquals(signal.samples(), row.length);
            }
            assertEquals(channels.size(), new HashSet<>(channels).size(), "distinct channel names");

            Map<String, Object> l = read.labelAttributes();
            assertEquals(LABEL_ATTRIBUTES, l.keySet());
            assertEquals(1 / 30.0, (Double) l.get("sample_rate"));
            assertArrayEquals(new String[] {"wake", "n1", "n2", "n3", "rem"}, (String[]) l.get("encoding"));
            assertArrayEquals(new String[] {"stage"}, (String[]) l.get("channels"));
            double labelStart = (Double) l.get("start_ns");
            assertEquals(Math.rint(labelStart), labelStart, "start_ns holds whole nanoseconds");
            LabelInfo labels = new LabelInfo(SyntheticDataset.LABEL_DATASET, List.of("stage"), 1 / 30.0,
                    (long) labelStart, read.labels().length, SyntheticDataset.STAGES);
            assertEquals(recording.labels(), labels);
            long lead = labels.startNanos() - signal.startNanos();
            assertTrue(lead >= 0 && lead % 30_000_000_000L == 0, () -> "labels start " + lead + " ns after the signal");
            assertTrue(signal.span().contains(labels.span()), () -> signal.span() + " contains " + labels.span());
            // 6 minutes are 12 epochs; the labels may start 2 epochs late and stop 1 early.
            assertTrue(labels.samples() >= 9, () -> "label epochs " + labels.samples());
            for (byte code : read.labels()) {
                assertTrue(code >= 0 && code < 5, () -> "label " + code);
            }
            channelSets.add(channels);
            lengths.add(signal.samples());
        }
        assertEquals(3, channelSets.size(), "every recording has its own channel set");
        assertEquals(3, lengths.size(), "every recording has its own length");
    }

    @Test
    void generate_smallDataset_labelAndSignalDatasetTypes(@TempDir Path dir) {
        GenerationReport report = SyntheticDataset.generate(dir.resolve("dataset"), SMALL.toBuilder().recordings(1).build());

        try (HdfFile hdf = new HdfFile(report.files().get(0))) {
            Dataset signal = hdf.getDatasetByPath(SyntheticDataset.SIGNAL_DATASET);
            Dataset labels = hdf.getDatasetByPath(SyntheticDataset.LABEL_DATASET);
            assertEquals(short.class, signal.getJavaType());
            assertEquals(DataLayout.CONTIGUOUS, signal.getDataLayout());
            assertEquals(byte.class, labels.getJavaType());
            assertEquals(2, labels.getDimensions().length);
            assertEquals(1, labels.getDimensions()[0]);
        }
    }

    @Test
    void generate_sameSeedDifferentThreadCounts_filesAreByteIdentical(@TempDir Path dir) {
        SyntheticDataset.generate(dir.resolve("one"), SMALL.toBuilder().threads(1).build());
        SyntheticDataset.generate(dir.resolve("three"), SMALL.toBuilder().threads(3).build());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            SyntheticDataset.generate(dir.resolve("pool"), SMALL.toBuilder().threads(2).executor(pool).build());
        } finally {
            pool.shutdown();
        }

        Map<String, String> one = Recordings.digests(dir.resolve("one"));
        assertEquals(3, one.size());
        assertEquals(one, Recordings.digests(dir.resolve("three")));
        assertEquals(one, Recordings.digests(dir.resolve("pool")));
    }

    @Test
    void generate_differentSeeds_samplesAndLabelsDiffer(@TempDir Path dir) {
        GeneratorOptions options = SMALL.toBuilder().recordings(1).hours(0.2, 0.2).build();
        GenerationReport a = SyntheticDataset.generate(dir.resolve("a"), options);
        GenerationReport b = SyntheticDataset.generate(dir.resolve("b"), options.toBuilder().seed(7).build());

        Recordings.Read ra = Recordings.read(a.files().get(0));
        Recordings.Read rb = Recordings.read(b.files().get(0));
        assertFalse(Arrays.deepEquals(ra.signal(), rb.signal()));
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void generate_eachLayout_readsBackTheSameSamplesAsContiguous(Layout layout, @TempDir Path dir) {
        GeneratorOptions options = SMALL.toBuilder().recordings(2).build();
        GenerationReport contiguous = SyntheticDataset.generate(dir.resolve("contiguous"), options);
        GenerationReport other = SyntheticDataset.generate(dir.resolve("other"),
                options.toBuilder().layout(layout).chunkShape(0, 4096).build());

        for (int r = 0; r < 2; r++) {
            Path file = other.files().get(r);
            Recordings.Read expected = Recordings.read(contiguous.files().get(r));
            Recordings.Read actual = Recordings.read(file);
            assertTrue(Arrays.deepEquals(expected.signal(), actual.signal()), "samples of " + file);
            assertArrayEquals(expected.labels(), actual.labels());
            assertEquals(expected.signalAttributes().keySet(), actual.signalAttributes().keySet());
            try (HdfFile hdf = new HdfFile(file)) {
                Dataset signal = hdf.getDatasetByPath(SyntheticDataset.SIGNAL_DATASET);
                List<String> filters = new ArrayList<>();
                for (PipelineFilterWithData filter : signal.getFilters()) {
                    filters.add(filter.getName());
                }
                switch (layout) {
                    case CONTIGUOUS -> {
                        assertEquals(DataLayout.CONTIGUOUS, signal.getDataLayout());
                        assertEquals(List.of(), filters);
                    }
                    case CHUNKED -> assertEquals(List.of(), filters);
                    case CHUNKED_DEFLATE -> assertEquals(List.of("deflate"), filters);
                    case SHUFFLE_DEFLATE -> assertEquals(List.of("shuffle", "deflate"), filters);
                }
                if (layout != Layout.CONTIGUOUS) {
                    ChunkedDataset chunked = assertInstanceOf(ChunkedDataset.class, signal);
                    assertArrayEquals(new int[] {signal.getDimensions()[0], 4096}, chunked.getChunkDimensions());
                }
            }
        }
        if (layout.deflated()) {
            assertTrue(other.totalBytes() < contiguous.totalBytes(), () -> other + " vs " + contiguous);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {64.0, 100.5, 1000.0})
    void generate_otherSampleRates_labelsStayOnTheSignalGrid(double sampleRate, @TempDir Path dir) {
        GenerationReport report = SyntheticDataset.generate(dir.resolve("dataset"),
                SMALL.toBuilder().recordings(2).hours(0.05, 0.1).sampleRate(sampleRate).build());

        for (GeneratedRecording recording : report.recordings()) {
            Recordings.Read read = Recordings.read(recording.file());
            assertEquals(sampleRate, (Double) read.signalAttributes().get("sample_rate"));
            assertEquals(recording.signal().samples(), read.signal()[0].length);
            long lead = recording.labels().startNanos() - recording.signal().startNanos();
            assertEquals(0, lead % 30_000_000_000L);
            assertTrue(recording.signal().span().contains(recording.labels().span()));
            assertEquals(recording.labels().samples(), read.labels().length);
        }
    }

    @Test
    void generate_chunkShapeLargerThanDataset_isClippedToTheDataset(@TempDir Path dir) {
        GenerationReport report = SyntheticDataset.generate(dir.resolve("dataset"),
                SMALL.toBuilder().recordings(1).layout(Layout.CHUNKED).chunkShape(64, 1 << 24).build());

        try (HdfFile hdf = new HdfFile(report.files().get(0))) {
            Dataset signal = hdf.getDatasetByPath(SyntheticDataset.SIGNAL_DATASET);
            assertArrayEquals(signal.getDimensions(), ((ChunkedDataset) signal).getChunkDimensions());
        }
    }

    @Test
    void generate_nonEmptyDirectory_throwsAndWritesNothing(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "keep me");

        GenerationException e = assertThrows(GenerationException.class, () -> SyntheticDataset.generate(dir, SMALL));

        assertTrue(e.getMessage().contains("expected: missing or empty"), e.getMessage());
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
        assertEquals(List.of("notes.txt"), Recordings.names(dir));
    }

    @Test
    void generate_pathIsAFile_throwsGenerationException(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");

        assertThrows(GenerationException.class, () -> SyntheticDataset.generate(file, SMALL));
    }

    @Test
    void generate_executorRejectsSecondTask_throwsAndLeavesNoFiles(@TempDir Path dir) {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        AtomicInteger submitted = new AtomicInteger();
        Executor rejectsSecond = task -> {
            if (submitted.incrementAndGet() > 1) {
                throw new RejectedExecutionException("full");
            }
            pool.execute(task);
        };
        Path out = dir.resolve("dataset");
        try {
            GenerationException e = assertThrows(GenerationException.class, () -> SyntheticDataset.generate(out,
                    SMALL.toBuilder().threads(2).executor(rejectsSecond).build()));
            assertInstanceOf(RejectedExecutionException.class, e.getCause());
        } finally {
            pool.shutdown();
        }
        assertEquals(List.of(), Recordings.names(out));
    }

    @Test
    void generate_callerInterrupted_throwsLeavesNoFilesAndKeepsInterruptStatus(@TempDir Path dir) throws Exception {
        // The generation task waits at a gate until the caller is parked in generate(), after it has
        // seen its interrupt; so the task can only start once the generator has been told to stop.
        Thread caller = Thread.currentThread();
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Executor gated = task -> pool.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.run();
        });
        Thread opener = new Thread(() -> {
            try {
                await().atMost(60, SECONDS).until(() -> caller.getState() == Thread.State.WAITING);
            } finally {
                gate.countDown(); // even on timeout, so that generate() can never wait forever
            }
        }, "gate-opener");
        Path out = dir.resolve("dataset");
        try {
            opener.start();
            caller.interrupt();
            GenerationException e = assertThrows(GenerationException.class, () -> SyntheticDataset.generate(out,
                    SMALL.toBuilder().threads(1).executor(gated).build()));
            assertTrue(Thread.interrupted(), "interrupt status kept");
            assertInstanceOf(InterruptedException.class, e.getCause());
        } finally {
            Thread.interrupted();
            gate.countDown();
            pool.shutdown();
            opener.join(SECONDS.toMillis(60));
        }
        assertTrue(pool.awaitTermination(60, SECONDS));
        assertEquals(List.of(), Recordings.names(out));
    }

    @Test
    void generate_nullArguments_throwNullPointerException(@TempDir Path dir) {
        assertThrows(NullPointerException.class, () -> SyntheticDataset.generate(null, SMALL));
        assertThrows(NullPointerException.class, () -> SyntheticDataset.generate(dir, null));
    }
}
