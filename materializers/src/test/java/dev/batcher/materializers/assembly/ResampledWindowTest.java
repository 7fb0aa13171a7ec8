package dev.batcher.materializers.assembly;

import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableDataset;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resampled window reads a margin around itself, so its edges carry the signal, not filter ringing. */
class ResampledWindowTest {
    @TempDir
    Path dir;

    @Test
    void materialize_resampledWindowInsideTheRecording_edgesMatchTheTone() {
        int rate = 256;
        short[][] data = new short[1][rate * 600];
        for (int i = 0; i < data[0].length; i++) {
            data[0][i] = (short) Math.round(1000 * Math.sin(2 * Math.PI * 5 * i / (double) rate));
        }
        try (WritableHdfFile f = HdfFile.write(dir.resolve("tone.h5"))) {
            WritableDataset s = f.putGroup("signals").putDataset("eeg", data);
            s.putAttribute("channels", new String[] {"C3"});
            s.putAttribute("sample_rate", (double) rate);
            s.putAttribute("resolution", 0.5);
            s.putAttribute("offset", 0.0);
            s.putAttribute("unit", new String[] {"uV"});
            s.putAttribute("start_ns", 0.0);
            s.putAttribute("labels", new String[] {"/labels/stage"});
            WritableDataset l = f.putGroup("labels").putDataset("stage", new byte[][] {new byte[20]});
            l.putAttribute("sample_rate", 1 / 30.0);
            l.putAttribute("start_ns", 0.0);
            l.putAttribute("encoding", new String[] {"W", "N1", "N2", "N3", "R"});
            l.putAttribute("channels", new String[] {"stage"});
        }
        try (RecordingFiles files = new RecordingFiles(List.of(dir), 2)) {
            Materializer m = new Materializer(files, MaterializeOptions.defaults().withTargetRate(128.0), Kernels.vector());
            int start = rate * 60 + 3;
            ItemSpec item = new ItemSpec("tone", "tone.h5", "/signals/eeg", start, rate * 30, ChannelSelection.all(),
                    "/labels/stage", 2, 1, 0);
            try (Batch b = m.materialize(new BatchSpec(List.of(item)))) {
                assertArrayEquals(new int[] {1, 1, 128 * 30}, b.xShape());
                for (int j = 0; j < 128 * 30; j++) {
                    double expected = 500 * Math.sin(2 * Math.PI * 5 * (start + 2.0 * j) / rate);
                    assertEquals(expected, b.x().get(j), 5.0, "output sample " + j);
                }
            }
        }
    }
}
