package dev.batcher.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** The project's checkout, where docs/deploy and bin/batcher are. */
public final class Repository {
    private Repository() {}

    /**
     * Returns the project's root: the nearest directory above the working directory that holds docs/deploy.
     *
     * @return the root
     * @throws IllegalStateException if there is none
     */
    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("docs/deploy"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no docs/deploy in " + Path.of("").toAbsolutePath() + " or above");
        }
        return p;
    }
}
