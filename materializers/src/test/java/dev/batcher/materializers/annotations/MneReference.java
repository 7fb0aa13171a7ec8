package dev.batcher.materializers.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.batcher.materializers.TestPython;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs MNE-Python (the reference reader) on files the tests wrote. */
public final class MneReference {
    private MneReference() {
    }

    /** Returns the interpreter that imports mne (see {@link TestPython#find}). */
    public static String python() throws InterruptedException {
        return TestPython.find("mne", "install it (apt-get install python3-mne) or set BATCHER_PYTHON");
    }

    /**
     * Returns what {@code mne.read_annotations(file)} says: one line per annotation,
     * {@code onset<TAB>duration<TAB>description}, onsets and durations with 9 decimals.
     */
    public static List<String> annotations(Path file, Path tmp) throws IOException, InterruptedException {
        Path script = tmp.resolve("mne_annotations.py");
        Files.writeString(script, String.join("\n",
                "import sys, mne",
                "mne.set_log_level('ERROR')",
                "a = mne.read_annotations(sys.argv[1])",
                "for o, d, t in zip(a.onset, a.duration, a.description):",
                "    print('%.9f\\t%.9f\\t%s' % (o, d, t))",
                ""));
        Process p = new ProcessBuilder(python(), script.toString(), file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python finishes");
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Formats an annotation as {@link #annotations} does (a missing duration is 0 in MNE). */
    public static String line(Annotation a) {
        long d = a.durationNanos() == Annotation.NO_DURATION ? 0 : a.durationNanos();
        return String.format("%.9f\t%.9f\t%s", a.onsetNanos() / 1e9, d / 1e9, a.text());
    }
}
