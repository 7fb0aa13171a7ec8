package dev.batcher.materializers.dataset;

import dev.batcher.materializers.MaterializerException;
import dev.batcher.materializers.annotations.Annotation;
import dev.batcher.materializers.annotations.BidsEvents;
import dev.batcher.materializers.annotations.EdfAnnotations;
import dev.batcher.materializers.annotations.NsrrXml;
import dev.batcher.materializers.dataset.DiscoveredRecording.Annotations;
import dev.batcher.materializers.dataset.DiscoveredRecording.Layout;
import dev.batcher.materializers.format.LabelGrid;
import dev.batcher.materializers.labels.StageGrid;
import dev.batcher.materializers.labels.StageMap;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label source of the layouts {@link Discovery} finds: Sleep-EDF hypnograms, NSRR XML, BIDS
 * events, a {@code recordings.csv} manifest, and EDF+/BDF+ files' own annotation signals. Annotation
 * texts become classes through the dataset's {@value #STAGE_MAP} if it has one, else the built-in
 * AASM map ({@link StageMap}); annotations become one label per epoch by {@link StageGrid}'s rule.
 *
 * <p>A separate EDF+ annotation file's onsets are moved by the difference between its header's start
 * and the signal file's, so a hypnogram whose header starts later still lines up with its PSG.
 * Discovery's warnings (a PSG without a hypnogram, a hypnogram without a PSG...) go to the log.
 */
public final class AnnotationLabelSource implements LabelSource {
    /** The stage map file a dataset may hold at its top. */
    public static final String STAGE_MAP = "stage_map.json";
    /** The name of the label dataset a grid is served as. */
    public static final String DATASET = "/labels/stage";
    private static final Logger LOG = LoggerFactory.getLogger(AnnotationLabelSource.class);

    private final StageMap map;
    /** The map of the dataset last read (an index run reads one dataset), so it is read once. */
    private final AtomicReference<Map.Entry<LabelSource.Files, StageMap>> last = new AtomicReference<>();

    /** Creates a source that uses each dataset's {@value #STAGE_MAP}, or the built-in AASM map. */
    public AnnotationLabelSource() {
        this(null);
    }

    /**
     * Creates a source with a given map, whatever the dataset holds.
     *
     * @param map the stage map, or null for the dataset's {@value #STAGE_MAP} or the built-in map
     */
    public AnnotationLabelSource(StageMap map) {
        this.map = map;
    }

    @Override
    public Map<String, Pair> pair(LabelSource.Files files) {
        Discovery.Result found = Discovery.discover(files.describe(), files.names(), files::read);
        for (String warning : found.warnings()) {
            LOG.warn("{}/{}", files.describe(), warning);
        }
        Map<String, Pair> pairs = new LinkedHashMap<>();
        for (DiscoveredRecording r : found.recordings()) {
            if (r.annotations() == Annotations.HDF5) {
                continue;
            }
            String recording = r.layout() == Layout.MANIFEST ? r.id() : null;
            pairs.put(r.signalFile(), new Pair(r.annotationFile().orElse(r.signalFile()), recording,
                    r.channelsFile().orElse(null)));
        }
        return pairs;
    }

    @Override
    public Optional<LabelGrid> read(Request request) {
        LabelSource.Files files = request.files();
        try {
            StageMap stages = map != null ? map : mapOf(files);
            List<Annotation> annotations = annotations(request.signalFile(), request.pair().annotationFile(), files);
            return StageGrid.build(annotations, stages, request.epochNanos()).map(g -> g.toLabelGrid(DATASET));
        } catch (DatasetException e) {
            throw e;
        } catch (MaterializerException e) {
            throw new DatasetException(files.describe() + ": " + e.getMessage(), e);
        }
    }

    private StageMap mapOf(LabelSource.Files files) {
        Map.Entry<LabelSource.Files, StageMap> known = last.get();
        if (known != null && known.getKey() == files) {
            return known.getValue();
        }
        StageMap m = files.names().contains(STAGE_MAP)
                ? StageMap.parse(new String(files.read(STAGE_MAP), StandardCharsets.UTF_8), files.describe() + "/" + STAGE_MAP)
                : StageMap.aasm();
        last.set(Map.entry(files, m));
        return m;
    }

    /**
     * Returns the kind of an annotation file from its name: the signal file itself for its own
     * annotation signal, {@code .edf}/{@code .bdf} EDF+ annotations, {@code .xml} NSRR XML,
     * {@code .tsv} BIDS events; null for anything else.
     */
    static Annotations kindOf(String annotationFile, String signalFile) {
        if (annotationFile.equals(signalFile)) {
            return Annotations.EMBEDDED;
        }
        String a = annotationFile.toLowerCase(Locale.ROOT);
        return a.endsWith(".edf") || a.endsWith(".bdf") ? Annotations.EDF_PLUS
                : a.endsWith(".xml") ? Annotations.NSRR_XML : a.endsWith(".tsv") ? Annotations.BIDS_EVENTS : null;
    }

    /** Reads a recording's annotations, onsets in the signal file's time. */
    static List<Annotation> annotations(String signalFile, String annotationFile, LabelSource.Files files) {
        Annotations kind = kindOf(annotationFile, signalFile);
        if (kind == null) {
            throw new DatasetException(files.describe() + ": " + annotationFile + ": annotation file of an unknown kind "
                    + "(expected: .edf/.bdf EDF+ annotations, .xml NSRR XML or .tsv BIDS events)");
        }
        return switch (kind) {
            case EMBEDDED -> EdfAnnotations.read(files.source(signalFile)).annotations();
            case EDF_PLUS -> {
                EdfAnnotations.Contents contents = EdfAnnotations.read(files.source(annotationFile));
                LocalDateTime signalStart = EdfAnnotations.start(files.source(signalFile));
                long shift = Duration.between(signalStart, contents.start()).toNanos();
                yield contents.annotations().stream().map(a -> a.shifted(shift)).toList();
            }
            case NSRR_XML -> NsrrXml.stages(new ByteArrayInputStream(files.read(annotationFile)), annotationFile);
            case BIDS_EVENTS -> BidsEvents.read(new ByteArrayInputStream(files.read(annotationFile)), annotationFile);
            case HDF5 -> throw new IllegalStateException("unreachable: HDF5 labels are datasets");
        };
    }
}
