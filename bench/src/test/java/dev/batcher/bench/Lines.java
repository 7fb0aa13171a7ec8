package dev.batcher.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** Checks report lines for form only: never for speed. */
final class Lines {
    private Lines() {
    }

    /** Returns the figures; fails unless every line is a comment or a well-formed figure with a ratio > 0. */
    static List<Figure> figures(List<String> lines) {
        String all = String.join("\n", lines);
        List<Figure> figures = lines.stream().filter(l -> !Figure.isComment(l)).map(Figure::parse).toList();
        for (Figure f : figures) {
            assertTrue(f.ratio() > 0, f + "\n" + all);
            assertTrue(f.value() >= 0, f + "\n" + all);
        }
        return figures;
    }
}
