package dev.batcher.materializers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the h5py fixtures ({@code test-data/fixtures}, written by {@code make_fixtures.py}) and reads
 * their manifest and expected arrays.
 */
public final class Fixtures {
    private static volatile Path root;
    private static volatile JsonNode manifest;

    private Fixtures() {
    }

    /**
     * Returns {@code test-data/fixtures}, found by walking up from {@code user.dir}, so that tests run
     * from the module directory, the project root or an IDE alike.
     */
    public static Path root() {
        Path found = root;
        if (found == null) {
            Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
            for (Path d = dir; d != null; d = d.getParent()) {
                Path candidate = d.resolve("test-data").resolve("fixtures");
                if (Files.isDirectory(candidate)) {
                    found = candidate;
                    break;
                }
            }
            if (found == null) {
                throw new IllegalStateException("test-data/fixtures: not found above " + dir
                        + " (expected: run /usr/bin/python3 test-data/fixtures/make_fixtures.py)");
            }
            root = found;
        }
        return found;
    }

    /** Returns a path inside the fixtures directory. */
    public static Path path(String relative) {
        return root().resolve(relative);
    }

    /** Returns {@code expected/manifest.json}. */
    public static JsonNode manifest() {
        JsonNode m = manifest;
        if (m == null) {
            try {
                m = new ObjectMapper().readTree(path("expected/manifest.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            manifest = m;
        }
        return m;
    }

    /** Returns the manifest entries of {@code layouts/}, one per file. */
    public static Stream<JsonNode> layouts() {
        List<JsonNode> entries = new ArrayList<>();
        manifest().get("layouts").forEach(entries::add);
        return entries.stream();
    }

    private static ByteBuffer bytes(String relative) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(path(relative))).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a raw little-endian int16 array {@code [rows][cols]}. */
    public static short[][] shorts(String relative, int rows, int cols) {
        ByteBuffer b = bytes(relative);
        short[][] a = new short[rows][cols];
        for (short[] row : a) {
            b.asShortBuffer().get(row);
            b.position(b.position() + cols * 2);
        }
        return a;
    }

    /** Reads a raw little-endian float32 array {@code [rows][cols]}. */
    public static float[][] floats(String relative, int rows, int cols) {
        ByteBuffer b = bytes(relative);
        float[][] a = new float[rows][cols];
        for (float[] row : a) {
            b.asFloatBuffer().get(row);
            b.position(b.position() + cols * 4);
        }
        return a;
    }

    /** Reads a raw little-endian int32 array {@code [rows][cols]}. */
    public static int[][] ints(String relative, int rows, int cols) {
        ByteBuffer b = bytes(relative);
        int[][] a = new int[rows][cols];
        for (int[] row : a) {
            b.asIntBuffer().get(row);
            b.position(b.position() + cols * 4);
        }
        return a;
    }

    /** Returns the strings of a JSON array. */
    public static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    /** Copies a directory tree (for tests that edit a copy of a fixture dataset). */
    public static void copyTree(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
