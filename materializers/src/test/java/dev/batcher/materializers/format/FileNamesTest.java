package dev.batcher.materializers.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

class FileNamesTest {
    /** The rule spelled out once, as the split it replaces on the common path: drop empty and "." parts, lead with "/". */
    private static String bySplit(String dataset) {
        StringBuilder b = new StringBuilder();
        for (String part : dataset.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                b.append('/').append(part);
            }
        }
        return b.length() == 0 ? "/" : b.toString();
    }

    @Test
    void normalizeDataset_everyShape_sameAsDroppingEmptyAndDotParts() {
        for (String d : List.of("", "/", "//", "/.", "./", ".", "..", "/..", "/a", "a", "a/", "/a/", "/a//b", "/a/./b",
                "/a/.b", "/a/b.", "/.a", "/a/..", "/signals/eeg", "signals/eeg", "/signals/eeg/", "/./signals", "/a/.",
                "///a///b///")) {
            assertEquals(bySplit(d), FileNames.normalizeDataset(d), "'" + d + "'");
        }
        assertEquals("/", FileNames.normalizeDataset(null));
    }

    @Test
    void normalizeDataset_alreadyNormal_returnsTheSameString() {
        String d = "/signals/eeg";
        assertSame(d, FileNames.normalizeDataset(d));
    }
}
