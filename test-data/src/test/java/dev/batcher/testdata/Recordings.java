package dev.batcher.testdata;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads generated files back with jhdf, the way the dataset readers will. */
final class Recordings {
    private Recordings() {
    }

    /** One file's signal and labels as read back. */
    record Read(short[][] signal, byte[] labels, Map<String, Object> signalAttributes,
            Map<String, Object> labelAttributes, Map<String, Object> rootAttributes) {
    }

    static Read read(Path file) {
        try (HdfFile hdf = new HdfFile(file)) {
            Dataset signal = hdf.getDatasetByPath(SyntheticDataset.SIGNAL_DATASET);
            Dataset labels = hdf.getDatasetByPath(SyntheticDataset.LABEL_DATASET);
            return new Read((short[][]) signal.getData(), ((byte[][]) labels.getData())[0],
                    attributes(signal.getAttributes()), attributes(labels.getAttributes()),
                    attributes(hdf.getAttributes()));
        }
    }

    private static Map<String, Object> attributes(Map<String, Attribute> attributes) {
        Map<String, Object> values = new TreeMap<>();
        attributes.forEach((name, attribute) -> values.put(name, attribute.getData()));
        return values;
    }

    /** Returns the SHA-256 of every file in {@code dir}, by file name. */
    static Map<String, String> digests(Path dir) {
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                digests.put(file.getFileName().toString(), HexFormat.of().formatHex(sha.digest(Files.readAllBytes(file))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return digests;
    }

    /** Returns the names of the entries of {@code dir}, sorted. */
    static java.util.List<String> names(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
