package dev.batcher.materializers.dataset;

import dev.batcher.materializers.dataset.DiscoveredRecording.Annotations;
import dev.batcher.materializers.dataset.DiscoveredRecording.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the recordings of a dataset, and their annotation files, from the names of its files alone
 * (a local directory's or an object-storage prefix's listing), with no flags:
 * <ul>
 *   <li><b>Sleep-EDF</b>: {@code SC4001E0-PSG.edf} with {@code SC4001EC-Hypnogram.edf} in the same
 *       directory, paired by the first 7 characters (subject and night);</li>
 *   <li><b>NSRR</b>: {@code polysomnography/edfs/<cohort>/<stem>.edf} with
 *       {@code polysomnography/annotations-events-nsrr/<cohort>/<stem>-nsrr.xml};</li>
 *   <li><b>BIDS</b>: {@code sub-*[/ses-*]/eeg/<base>_eeg.edf|bdf} with {@code <base>_events.tsv} and,
 *       where present, {@code <base>_channels.tsv};</li>
 *   <li><b>HDF5</b>: {@code *.h5}, {@code *.hdf5}, labels inside;</li>
 *   <li>any other {@code *.edf}/{@code *.bdf}: labels from its own annotation signal, if any.</li>
 * </ul>
 * If the dataset holds a manifest {@value RecordingsCsv#NAME} at its top, that file alone says what
 * the recordings are ({@link RecordingsCsv}).
 *
 * <p>Nothing is dropped silently: a signal file whose expected annotation file is missing is still a
 * recording (its labels then come from its own annotation signal, if any) and an annotation file with
 * no signal file is reported; both are {@linkplain Result#warnings() warnings}. Names are compared
 * case-sensitively; hidden files and directories (a name starting with a dot) are not looked at. The
 * result is sorted by signal file, whatever order the listing came in.
 */
public final class Discovery {
    private static final Pattern SLEEP_EDF_PSG = Pattern.compile("(?i)(.*/)?([a-z0-9]{7})[a-z0-9]-PSG\\.(edf|bdf)");
    private static final Pattern SLEEP_EDF_HYPNOGRAM = Pattern.compile("(?i)(.*/)?([a-z0-9]{7})[a-z0-9]-Hypnogram\\.edf");
    private static final Pattern NSRR_EDF = Pattern.compile("(.*/)?polysomnography/edfs/(.+/)?([^/]+)\\.(?i:edf)");
    private static final Pattern NSRR_XML = Pattern.compile("(.*/)?polysomnography/annotations-events-nsrr/(.+/)?([^/]+)-nsrr\\.(?i:xml)");
    private static final Pattern BIDS_EEG = Pattern.compile("(.*/)?sub-[^/]+/(ses-[^/]+/)?eeg/([^/]+)_eeg\\.(?i:edf|bdf)");
    private static final Pattern BIDS_EVENTS = Pattern.compile("(.*/)?sub-[^/]+/(ses-[^/]+/)?eeg/([^/]+)_events\\.tsv");

    private Discovery() {
    }

    /**
     * What discovery found.
     *
     * @param recordings the recordings, sorted by signal file
     * @param warnings one line per file that was not paired as its layout expects, sorted
     */
    public record Result(List<DiscoveredRecording> recordings, List<String> warnings) {
        /** Copies the lists. */
        public Result {
            recordings = List.copyOf(recordings);
            warnings = List.copyOf(warnings);
        }
    }

    /** Reads a file of the dataset by name, for the manifest. */
    @FunctionalInterface
    public interface Opener {
        /**
         * Returns the bytes of a file.
         *
         * @param name the file, relative to the dataset
         * @return its bytes
         * @throws IOException if it cannot be read
         */
        byte[] read(String name) throws IOException;
    }

    /**
     * Finds the recordings among {@code names}.
     *
     * @param where the dataset, for messages
     * @param names every file of the dataset, relative, with forward slashes, in any order
     * @param opener reads the manifest, if there is one
     * @return the recordings and warnings
     * @throws DatasetException if two files would be the same recording, a Sleep-EDF pair is ambiguous
     *     (two hypnograms or PSGs for one subject and night), or the manifest is invalid
     */
    public static Result discover(String where, List<String> names, Opener opener) {
        List<String> visible = names.stream().filter(n -> !("/" + n).contains("/.")).sorted().toList();
        if (visible.contains(RecordingsCsv.NAME)) {
            return new Result(RecordingsCsv.read(where, visible, opener), List.of());
        }
        Set<String> files = new HashSet<>(visible);
        Set<String> used = new HashSet<>();
        Map<String, DiscoveredRecording> bySignal = new TreeMap<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> hypnograms = sleepEdfHypnograms(where, visible);
        for (String name : visible) {
            String lower = name.toLowerCase(Locale.ROOT);
            DiscoveredRecording r;
            Matcher m;
            if (lower.endsWith(".h5") || lower.endsWith(".hdf5")) {
                r = new DiscoveredRecording(stripExtension(name), name, Layout.HDF5, Annotations.HDF5, Optional.empty(),
                        Optional.empty());
            } else if ((m = SLEEP_EDF_PSG.matcher(name)).matches()) {
                String key = dir(m.group(1)) + m.group(2);
                String hypnogram = hypnograms.get(key);
                String id = stripExtension(name);
                if (hypnogram == null) {
                    warnings.add(name + ": no Sleep-EDF hypnogram " + dir(m.group(1)) + m.group(2) + "?-Hypnogram.edf beside it;"
                            + " its labels can only come from its own annotation signal");
                    r = embedded(id, name, Layout.SLEEP_EDF);
                } else {
                    used.add(hypnogram);
                    r = new DiscoveredRecording(id, name, Layout.SLEEP_EDF, Annotations.EDF_PLUS, Optional.of(hypnogram),
                            Optional.empty());
                }
            } else if (SLEEP_EDF_HYPNOGRAM.matcher(name).matches()) {
                continue; // paired from the PSG's side; reported below if unused
            } else if ((m = NSRR_EDF.matcher(name)).matches()) {
                String xml = dir(m.group(1)) + "polysomnography/annotations-events-nsrr/" + dir(m.group(2)) + m.group(3) + "-nsrr.xml";
                String id = stripExtension(name);
                if (files.contains(xml)) {
                    used.add(xml);
                    r = new DiscoveredRecording(id, name, Layout.NSRR, Annotations.NSRR_XML, Optional.of(xml), Optional.empty());
                } else {
                    warnings.add(name + ": no NSRR annotation file " + xml + "; its labels can only come from its own annotation signal");
                    r = embedded(id, name, Layout.NSRR);
                }
            } else if ((m = BIDS_EEG.matcher(name)).matches()) {
                String base = name.substring(0, name.length() - "_eeg.edf".length());
                String events = base + "_events.tsv";
                String channels = base + "_channels.tsv";
                Optional<String> ch = files.contains(channels) ? Optional.of(channels) : Optional.empty();
                if (files.contains(events)) {
                    used.add(events);
                    r = new DiscoveredRecording(stripExtension(name), name, Layout.BIDS, Annotations.BIDS_EVENTS,
                            Optional.of(events), ch);
                } else {
                    warnings.add(name + ": no BIDS events file " + events + "; its labels can only come from its own annotation signal");
                    r = new DiscoveredRecording(stripExtension(name), name, Layout.BIDS, Annotations.EMBEDDED, Optional.empty(), ch);
                }
            } else if (lower.endsWith(".edf") || lower.endsWith(".bdf")) {
                r = embedded(stripExtension(name), name, Layout.EDF);
            } else {
                continue;
            }
            bySignal.put(name, r);
        }
        for (String name : visible) {
            boolean annotation = SLEEP_EDF_HYPNOGRAM.matcher(name).matches() || NSRR_XML.matcher(name).matches()
                    || BIDS_EVENTS.matcher(name).matches();
            if (annotation && !used.contains(name)) {
                warnings.add(name + ": annotation file with no signal file to pair it with (expected: "
                        + partnerOf(name) + "); not used");
            }
        }
        checkUniqueIds(where, bySignal.values());
        warnings.sort(null);
        return new Result(List.copyOf(bySignal.values()), warnings);
    }

    private static DiscoveredRecording embedded(String id, String name, Layout layout) {
        return new DiscoveredRecording(id, name, layout, Annotations.EMBEDDED, Optional.empty(), Optional.empty());
    }

    /** Maps directory + 7-character prefix to the one hypnogram with it. */
    private static Map<String, String> sleepEdfHypnograms(String where, List<String> names) {
        Map<String, String> out = new TreeMap<>();
        Map<String, String> psgs = new TreeMap<>();
        for (String name : names) {
            Matcher h = SLEEP_EDF_HYPNOGRAM.matcher(name);
            Matcher p = SLEEP_EDF_PSG.matcher(name);
            Map<String, String> target = h.matches() ? out : p.matches() ? psgs : null;
            Matcher m = h.matches() ? h : p;
            if (target != null) {
                String key = dir(m.group(1)) + m.group(2);
                String other = target.putIfAbsent(key, name);
                if (other != null) {
                    throw new DatasetException(where + ": " + other + " and " + name + ": two Sleep-EDF "
                            + (target == out ? "hypnograms" : "PSG files") + " for subject and night " + m.group(2)
                            + " (expected: one PSG and one hypnogram per 7-character prefix; list the pairs in a "
                            + RecordingsCsv.NAME + " manifest instead, see docs/dataset-format.md)");
                }
            }
        }
        return out;
    }

    private static String partnerOf(String name) {
        Matcher m;
        if ((m = SLEEP_EDF_HYPNOGRAM.matcher(name)).matches()) {
            return dir(m.group(1)) + m.group(2) + "?-PSG.edf";
        }
        if ((m = NSRR_XML.matcher(name)).matches()) {
            return dir(m.group(1)) + "polysomnography/edfs/" + dir(m.group(2)) + m.group(3) + ".edf";
        }
        return name.substring(0, name.length() - "_events.tsv".length()) + "_eeg.edf or .bdf";
    }

    private static void checkUniqueIds(String where, Iterable<DiscoveredRecording> recordings) {
        Map<String, String> ids = new TreeMap<>();
        for (DiscoveredRecording r : recordings) {
            String other = ids.putIfAbsent(r.id(), r.signalFile());
            if (other != null) {
                throw new DatasetException(where + ": " + other + " and " + r.signalFile() + ": both would be recording "
                        + r.id() + " (expected: one signal file per recording; rename one, or list them in a "
                        + RecordingsCsv.NAME + " manifest)");
            }
        }
    }

    private static String dir(String group) {
        return group == null ? "" : group;
    }

    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > name.lastIndexOf('/') ? name.substring(0, dot) : name;
    }

    /**
     * Lists every regular file under a directory as sorted relative paths with forward slashes,
     * skipping hidden files and directories and not following symbolic links to directories.
     *
     * @param dir the dataset directory
     * @return the files
     * @throws DatasetException if the directory cannot be resolved or listed
     */
    public static List<String> listLocal(Path dir) {
        List<String> names = new ArrayList<>();
        Path root;
        try {
            root = dir.toRealPath(); // a symbolic link as the dataset directory itself is fine
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot be resolved (expected: an existing directory): " + e, e);
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.forEach(path -> {
                Path relative = root.relativize(path);
                if (relative.toString().isEmpty() || !Files.isRegularFile(path)) {
                    return;
                }
                List<String> parts = new ArrayList<>();
                relative.forEach(p -> parts.add(p.toString()));
                String name = String.join("/", parts);
                if (!("/" + name).contains("/.")) {
                    names.add(name);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new DatasetException(root + ": cannot be listed (expected: a readable directory): " + e, e);
        }
        names.sort(null);
        return names;
    }
}
