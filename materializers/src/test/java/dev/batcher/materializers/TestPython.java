package dev.batcher.materializers;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds the Python interpreter tests run reference readers with (NumPy, h5py, MNE). */
public final class TestPython {
    private TestPython() {
    }

    /**
     * Returns the first of $BATCHER_PYTHON, /usr/bin/python3 and python3 that imports {@code modules}.
     * None doing so fails the test, naming what to install: it is not a reason to skip.
     *
     * @param modules the modules, as an import statement lists them, e.g. {@code h5py, numpy}
     * @param install what the failure tells the user to do
     * @return the interpreter
     */
    public static String find(String modules, String install) throws InterruptedException {
        List<String> candidates = new ArrayList<>();
        String configured = System.getenv("BATCHER_PYTHON");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        }
        candidates.addAll(List.of("/usr/bin/python3", "python3"));
        for (String candidate : candidates) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import " + modules).redirectErrorStream(true).start();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
                p.destroyForcibly();
            } catch (IOException absent) {
                // try the next one
            }
        }
        return fail("none of " + candidates + " imports " + modules + ": " + install);
    }
}
