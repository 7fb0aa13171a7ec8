package dev.batcher.client.arena;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The arenas a worker or client has mapped, by file, the least recently used dropped beyond a limit
 * (a dropped mapping is unmapped by the garbage collector once no batch uses it). A daemon makes a
 * new arena each time a batcher starts; mappings of arenas whose files are gone are dropped when a
 * new one is mapped. Thread-safe.
 */
public final class ArenaViews {
    private final boolean writable;
    private final Map<Path, ArenaView> views;

    /**
     * Creates the cache.
     *
     * @param writable map arenas read-write (workers) or read-only (clients)
     * @param max how many mappings to keep
     */
    public ArenaViews(boolean writable, int max) {
        this.writable = writable;
        this.views = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, ArenaView> eldest) {
                return size() > max;
            }
        };
    }

    /**
     * Returns the view of {@code path}, mapping it on first use.
     *
     * @param path the arena file
     * @return its view
     * @throws ArenaException if it cannot be mapped
     */
    public synchronized ArenaView get(Path path) {
        ArenaView v = views.get(path);
        if (v == null) {
            // A new arena: the daemon deleted the files of stopped batchers, drop their mappings so that
            // their shared memory goes back to the system once no batch uses it.
            views.values().removeIf(old -> !Files.exists(old.path()));
            v = ArenaView.open(path, writable);
            views.put(path, v);
        }
        return v;
    }

    /** Returns how many arenas are mapped (for tests). */
    synchronized int size() {
        return views.size();
    }

    /** Drops every mapping. */
    public synchronized void clear() {
        views.clear();
    }
}
