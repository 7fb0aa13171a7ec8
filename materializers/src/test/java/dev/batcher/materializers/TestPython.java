package dev.batcher.materializers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Finds the Python interpreter tests run NumPy (and h5py) with. */
public final class TestPython {
    private TestPython() {
    }

    /**
     * Returns the first of $BATCHER_PYTHON, /usr/bin/python3 and python3 that imports {@code modules}.
     * The build's python-env step (root pom, validate) installs them before any test runs, so none
     * importing them is a failure, not a reason to skip.
     *
     * @param modules for example {@code h5py, numpy}
     * @return the interpreter
     */
    public static String interpreter(String modules) throws InterruptedException {
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
        StringBuilder packages = new StringBuilder();
        for (String m : modules.split(",")) {
            packages.append(" python3-").append(m.trim());
        }
        return fail("none of " + candidates + " imports " + modules + ": install them (apt-get install" + packages
                + ") or run the build from the root, whose python-env step installs them, or set BATCHER_PYTHON");
    }
}
