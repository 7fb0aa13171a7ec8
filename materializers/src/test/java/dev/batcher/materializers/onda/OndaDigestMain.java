package dev.batcher.materializers.onda;

import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.Storage;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Reads every window of an Onda dataset and prints a digest of the values ({@code digest HEX}), so
 * that a JVM started without any flag (no {@code --add-opens}) can be compared with the test's JVM.
 * Arguments: the dataset directory and a cache directory.
 */
public final class OndaDigestMain {
    private OndaDigestMain() {
    }

    public static void main(String[] args) throws Exception {
        try (Storage storage = new Storage(null, Path.of(args[1]), 64L << 20)) {
            System.out.println("digest " + digest(OndaDataset.open(DatasetLocation.of(Path.of(args[0])), storage)));
        }
    }

    static String digest(OndaDataset ds) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (OndaSignal s : ds.signals()) {
            md.update((s.recording() + s.file() + s.info()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            RawWindow w = ds.read(s, 0, s.channels().size(), 0, (int) s.samples());
            ByteBuffer b = ByteBuffer.allocate(w.channels() * w.samples() * 4);
            for (int c = 0; c < w.channels(); c++) {
                for (int t = 0; t < w.samples(); t++) {
                    b.putFloat(w.type() == dev.batcher.materializers.metadata.SampleType.INT16 ? w.shorts()[c][t] : w.floats()[c][t]);
                }
            }
            md.update(b.array());
        }
        for (var e : ds.annotations().entrySet()) {
            md.update(e.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
