package dev.batcher.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.service.TestData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** peek --png draws an item with XChart; peek --items lists what each item is. */
@Timeout(120)
class PeekPlotTest {
    @TempDir
    Path tmp;

    /** The fraction of pixels in a band of rows that are not white. */
    private static double ink(BufferedImage image, int fromRow, int toRow) {
        long dark = 0;
        for (int y = fromRow; y < toRow; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    dark++;
                }
            }
        }
        return dark / (double) ((toRow - fromRow) * (long) image.getWidth());
    }

    @Test
    void peek_png_writesAStackedTracePlotOverAHypnogram() throws Exception {
        Path png = tmp.resolve("plots/batch.png");
        CommandLineTest.Run r = CommandLineTest.run("peek", TestData.dataset().toString(), "--batch-size", "4", "--seconds",
                "90", "--channels", "montage:F3-M2,C3-M2,C4-M1", "--state", "seed=5,batch=2", "--png", png.toString(),
                "--item", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote    " + png + " (item 1)"), r.out());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(PeekPlot.WIDTH, image.getWidth());
        assertEquals(PeekPlot.height(3), image.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertTrue(colours.size() > 20, "anti-aliased traces, text and grid: " + colours.size() + " colours");
        // Every panel has ink: three traces and the hypnogram.
        int y = 0;
        for (int panel = 0; panel < 3; panel++) {
            int h = panel == 0 ? PeekPlot.TITLE + PeekPlot.TRACE : PeekPlot.TRACE;
            double ink = ink(image, y, y + h);
            assertTrue(ink > 0.03, "trace panel " + panel + " has ink: " + ink);
            y += h;
        }
        double hypnogram = ink(image, y, image.getHeight());
        assertTrue(hypnogram > 0.02, "the hypnogram has ink: " + hypnogram);
        String keep = System.getenv("BATCHER_KEEP_PEEK_PNG"); // to look at it: a path to copy the PNG to
        if (keep != null) {
            Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void peek_items_printsEachItemsRecordingFileAndWindows() {
        CommandLineTest.Run r = CommandLineTest.run("peek", TestData.dataset().toString(), "--batch-size", "3", "--seconds",
                "30", "--channels", "names:C3,C4", "--state", "seed=5,batch=2", "--items");
        assertEquals(0, r.code(), r.err());
        Pattern item = Pattern.compile("item (\\d+) +recording (\\S+), file (\\S+\\.h5), samples \\[(\\d+), (\\d+)\\) of (\\S+), "
                + "labels \\[(\\d+), (\\d+)\\) of (\\S+), channels names:C3,C4");
        Matcher m = item.matcher(r.out());
        int n = 0;
        while (m.find()) {
            assertEquals(n, Integer.parseInt(m.group(1)));
            assertEquals(30 * 128, Long.parseLong(m.group(5)) - Long.parseLong(m.group(4)), "30 s at 128 Hz");
            assertEquals(1, Long.parseLong(m.group(8)) - Long.parseLong(m.group(7)), "one 30 s epoch");
            n++;
        }
        assertEquals(3, n, r.out());
    }

    @Test
    void peek_pngItemOutsideTheBatch_saysSoWithoutAStackTrace() {
        CommandLineTest.Run r = CommandLineTest.run("peek", TestData.dataset().toString(), "--batch-size", "2", "--png",
                tmp.resolve("x.png").toString(), "--item", "2");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--item: 2 (expected: >= 0 and < the batch size 2)"), r.err());
        assertTrue(!r.err().contains("\tat "), r.err());
    }
}
