package dev.batcher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fresh-JVM harness runs its children and reports a steady rate for each (the rates are not checked). */
class FreshJvmKernelMixTest {
    @Test
    void run_oneJvmPerPath_reportsEachChildAndASummary() throws Exception {
        List<String> lines = new ArrayList<>();
        List<double[]> steady = FreshJvmKernelMix.run(new String[] {"--jvms=1", "--seconds=2"}, lines::add);
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("vector  steady "), lines.get(0));
        assertTrue(lines.get(1).startsWith("scalar  steady "), lines.get(1));
        assertTrue(lines.get(2).startsWith("# vector steady batches/s over 1 JVMs: "), lines.get(2));
        assertTrue(steady.get(0)[0] > 0 && steady.get(1)[0] > 0, lines.toString());
    }
}
