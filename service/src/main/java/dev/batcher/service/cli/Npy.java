package dev.batcher.service.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes arrays in numpy's {@code .npy} format (version 1.0), which {@code numpy.load} reads:
 * <pre>
 * +--------+---------+---------+----------------+-------------------------+------------------+
 * | \x93NUMPY | major=1 | minor=0 | header length  | header: a Python dict,  | data, row-major, |
 * | 6 bytes   | 1 byte  | 1 byte  | u16 LE         | space-padded, '\n' end  | little-endian    |
 * +--------+---------+---------+----------------+-------------------------+------------------+
 * </pre>
 * The magic, version, length and header together take a multiple of 64 bytes.
 */
final class Npy {
    private Npy() {}

    static void write(Path file, FloatBuffer data, int[] shape) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(data.remaining() * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data.duplicate());
        write(file, "<f4", shape, bytes);
    }

    static void write(Path file, IntBuffer data, int[] shape) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(data.remaining() * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(data.duplicate());
        write(file, "<i4", shape, bytes);
    }

    static byte[] header(String descr, int[] shape) {
        String dims = Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + (shape.length == 1 ? "," : "")
                + "), }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String text = dict + " ".repeat(padding) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        out.putShort((short) text.length());
        out.put(text.getBytes(StandardCharsets.US_ASCII));
        return out.array();
    }

    private static void write(Path file, String descr, int[] shape, ByteBuffer data) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(header(descr, shape));
            out.write(data.array(), 0, data.capacity());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
