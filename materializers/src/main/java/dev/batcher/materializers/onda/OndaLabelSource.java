package dev.batcher.materializers.onda;

import dev.batcher.materializers.MaterializerException;
import dev.batcher.materializers.annotations.Annotation;
import dev.batcher.materializers.dataset.AnnotationLabelSource;
import dev.batcher.materializers.dataset.DatasetException;
import dev.batcher.materializers.dataset.LabelSource;
import dev.batcher.materializers.format.LabelGrid;
import dev.batcher.materializers.labels.StageGrid;
import dev.batcher.materializers.labels.StageMap;
import dev.batcher.materializers.storage.DatasetLocation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The labels of Onda datasets: pairs every sample file a signals table names with the annotations
 * table that holds its recording's annotations (and gives it the row's recording UUID), and turns
 * that recording's annotations into the dense label grid by the same rule and stage map as every
 * other annotation source ({@link StageGrid}; the dataset's {@value AnnotationLabelSource#STAGE_MAP}
 * or the built-in AASM map unless a map is given; the indexer's epoch). The grid is served as
 * {@value AnnotationLabelSource#DATASET}.
 *
 * <p>A recording no annotations table mentions is not paired: the indexer skips its signals with a
 * warning, as it does any signal without labels.
 */
public final class OndaLabelSource implements LabelSource {
    private final StageMap map;
    private final String labelColumn;
    /** The annotations table last parsed (an index run asks for one recording after another). */
    private final AtomicReference<Parsed> last = new AtomicReference<>();

    private record Parsed(Files files, String table, Map<String, List<OndaAnnotation>> byRecording) {
    }

    /** A source with each dataset's stage map (or the AASM map) and the {@code value} label column. */
    public OndaLabelSource() {
        this(null, OndaDataset.DEFAULT_LABEL_COLUMN);
    }

    /**
     * A source with a given stage map.
     *
     * @param map the stage map, or null for the dataset's {@value AnnotationLabelSource#STAGE_MAP} or the AASM map
     * @param labelColumn the annotations column holding label text
     */
    public OndaLabelSource(StageMap map, String labelColumn) {
        this.map = map;
        this.labelColumn = labelColumn;
    }

    @Override
    public Map<String, Pair> pair(Files files) {
        List<String> signalTables = tables(files.names(), OndaDataset.SIGNALS_SUFFIXES);
        if (signalTables.isEmpty()) {
            return Map.of();
        }
        DatasetLocation location = DatasetLocation.parse(files.describe());
        List<String> annotationTables = tables(files.names(), OndaDataset.ANNOTATIONS_SUFFIXES);
        Map<String, Pair> pairs = new LinkedHashMap<>();
        try {
            for (String table : signalTables) {
                int slash = table.lastIndexOf('/');
                for (OndaSignal s : OndaTables.signals(files.read(table), location.describe(table), location,
                        slash < 0 ? "" : table.substring(0, slash))) {
                    for (String annotations : annotationTables) {
                        if (parse(files, annotations).byRecording().containsKey(s.recording())) {
                            pairs.put(s.file(), new Pair(annotations, s.recording()));
                            break;
                        }
                    }
                }
            }
        } catch (OndaException e) {
            throw new DatasetException(e.getMessage(), e);
        }
        return pairs;
    }

    @Override
    public Optional<LabelGrid> read(Request request) {
        Files files = request.files();
        try {
            List<Annotation> annotations = new ArrayList<>();
            for (OndaAnnotation a : parse(files, request.pair().annotationFile()).byRecording()
                    .getOrDefault(request.pair().recording(), List.of())) {
                annotations.add(a.toAnnotation());
            }
            return StageGrid.build(annotations, stageMap(files), request.epochNanos())
                    .map(g -> g.toLabelGrid(AnnotationLabelSource.DATASET));
        } catch (DatasetException e) {
            throw e;
        } catch (MaterializerException e) {
            throw new DatasetException(files.describe() + ": " + e.getMessage(), e);
        }
    }

    private StageMap stageMap(Files files) {
        if (map != null) {
            return map;
        }
        String name = AnnotationLabelSource.STAGE_MAP;
        return files.names().contains(name)
                ? StageMap.parse(new String(files.read(name), StandardCharsets.UTF_8), files.describe() + "/" + name)
                : StageMap.aasm();
    }

    private Parsed parse(Files files, String table) {
        Parsed p = last.get();
        if (p != null && p.files() == files && p.table().equals(table)) {
            return p;
        }
        Map<String, List<OndaAnnotation>> byRecording = new LinkedHashMap<>();
        DatasetLocation location = DatasetLocation.parse(files.describe());
        for (OndaAnnotation a : OndaTables.annotations(files.read(table), location.describe(table), labelColumn)) {
            byRecording.computeIfAbsent(a.recording(), r -> new ArrayList<>()).add(a);
        }
        p = new Parsed(files, table, byRecording);
        last.set(p);
        return p;
    }

    private static List<String> tables(List<String> names, List<String> suffixes) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String lower = n.toLowerCase(Locale.ROOT);
            if (suffixes.stream().anyMatch(lower::endsWith)) {
                out.add(n);
            }
        }
        return out;
    }
}
