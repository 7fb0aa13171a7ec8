package dev.batcher.service.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the shared token comes from: a file (never the command line, where {@code ps} shows it) or the environment. */
public final class TokenOptions {
    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Read the shared token from this file (default: the BATCHER_TOKEN environment variable, if set).")
    Path tokenFile;

    /**
     * Returns the token: the trimmed content of {@code --token-file}, else the trimmed {@code
     * BATCHER_TOKEN} variable, else null.
     *
     * @return the token, or null for none
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the file is empty
     */
    public String token() throws IOException {
        if (tokenFile != null) {
            String t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("--token-file: " + tokenFile + " is empty (expected: the token)");
            }
            return t;
        }
        String env = System.getenv("BATCHER_TOKEN");
        return env == null || env.isBlank() ? null : env.strip();
    }
}
