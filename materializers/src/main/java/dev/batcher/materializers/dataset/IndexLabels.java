package dev.batcher.materializers.dataset;

import dev.batcher.materializers.annotations.AnnotationException;
import dev.batcher.materializers.annotations.BidsChannels;
import dev.batcher.materializers.format.LabelGrid;
import dev.batcher.materializers.metadata.TimeSpan;
import dev.batcher.materializers.storage.ByteSource;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The label sources of one index run over one dataset: every file paired once, up front, by the first
 * source that recognises it; then each paired signal file's grid read from the source that paired it.
 */
final class IndexLabels {
    private final LabelSource.Files files;
    private final long epochNanos;
    private final Map<String, LabelSource.Pair> pairs = new LinkedHashMap<>();
    private final Map<String, LabelSource> pairedBy = new LinkedHashMap<>();
    private final Set<String> annotationOnly = new HashSet<>();

    IndexLabels(List<LabelSource> sources, LabelSource.Files files, long epochNanos) {
        if (epochNanos <= 0) {
            throw new DatasetException("epoch: " + epochNanos + " ns (expected: > 0)");
        }
        this.files = files;
        this.epochNanos = epochNanos;
        for (LabelSource source : sources) {
            source.pair(files).forEach((signal, pair) -> {
                if (pairs.putIfAbsent(signal, pair) == null) {
                    pairedBy.put(signal, source);
                }
            });
        }
        for (LabelSource.Pair p : pairs.values()) {
            if (!pairs.containsKey(p.annotationFile())) {
                annotationOnly.add(p.annotationFile());
            }
        }
    }

    /** Tells whether a file is only another file's annotation file (not a recording of its own). */
    boolean annotationOnly(String file) {
        return annotationOnly.contains(file);
    }

    /** Tells whether a signal file was paired with annotations. */
    boolean paired(String file) {
        return pairs.containsKey(file);
    }

    /** Returns the recording id a source gave a file, or null. */
    String recording(String file) {
        LabelSource.Pair p = pairs.get(file);
        return p == null ? null : p.recording();
    }

    /** Returns the annotation file a signal file is paired with. */
    String annotationFile(String file) {
        return pairs.get(file).annotationFile();
    }

    /**
     * Returns the channel kinds the channels file paired with a signal file gives (channel name to
     * kind), or an empty map if it has none.
     *
     * @throws DatasetException if the channels file is invalid (naming the dataset, the file and the line)
     */
    Map<String, String> channelKinds(String file) {
        LabelSource.Pair p = pairs.get(file);
        if (p == null || p.channelsFile() == null) {
            return Map.of();
        }
        try {
            return BidsChannels.read(new java.io.ByteArrayInputStream(files.read(p.channelsFile())), p.channelsFile());
        } catch (AnnotationException e) {
            throw new DatasetException(files.describe() + ": " + e.getMessage(), e);
        }
    }

    /** Reads the grid of a paired signal file, or empty if its annotations hold no labels. */
    Optional<LabelGrid> grid(String file, TimeSpan recording) {
        return pairedBy.get(file).read(new LabelSource.Request(file, pairs.get(file), files, recording, epochNanos));
    }

    /** Returns a local dataset's files as sources see them. */
    static LabelSource.Files local(Path root, List<String> names, Function<String, Path> resolve) {
        return new Listed(root.toString(), names) {
            @Override
            public byte[] read(String name) {
                try {
                    return Files.readAllBytes(resolve.apply(name));
                } catch (IOException e) {
                    throw new DatasetException(root + "/" + name + ": unreadable (expected: a readable annotation file): " + e, e);
                }
            }

            @Override
            public ByteSource source(String name) {
                Path path = resolve.apply(name);
                return new ByteSource() {
                    @Override
                    public void readFully(ByteBuffer dst, long position) throws IOException {
                        // Opened per read: sources read a header and a few blocks, and nothing stays open.
                        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                            ByteSource.of(ch, name).readFully(dst, position);
                        }
                    }

                    @Override
                    public String describe() {
                        return name;
                    }
                };
            }
        };
    }

    /** Returns an object-storage dataset's files as sources see them. */
    static LabelSource.Files remote(DatasetLocation l, Storage storage, List<String> names) {
        return new Listed(l.toString(), names) {
            @Override
            public byte[] read(String name) {
                return storage.store().readAll(l.bucket(), l.key(name));
            }

            @Override
            public ByteSource source(String name) {
                ByteSource s = storage.store().source(l.bucket(), l.key(name), null);
                return new ByteSource() {
                    @Override
                    public void readFully(ByteBuffer dst, long position) throws IOException {
                        s.readFully(dst, position);
                    }

                    @Override
                    public String describe() {
                        return name; // relative, as for local files; messages add the dataset
                    }
                };
            }
        };
    }

    private abstract static class Listed implements LabelSource.Files {
        private final String where;
        private final List<String> names;

        Listed(String where, List<String> names) {
            this.where = where;
            this.names = List.copyOf(names);
        }

        @Override
        public String describe() {
            return where;
        }

        @Override
        public List<String> names() {
            return names;
        }
    }
}
