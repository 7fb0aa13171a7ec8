package dev.batcher.materializers.channels;

import java.util.LinkedHashMap;
import java.util.Map;

/** A bounded, thread-safe, least-recently-used map from (selection, channel list) to plan. */
final class PlanCache {
    private final int capacity;
    private final LinkedHashMap<Object, ChannelPlan> map;

    PlanCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, ChannelPlan> eldest) {
                return size() > PlanCache.this.capacity;
            }
        };
    }

    synchronized ChannelPlan get(Object key) {
        return map.get(key);
    }

    /** Stores a plan unless one is there already (planned by another thread); returns the one kept. */
    synchronized ChannelPlan putIfAbsent(Object key, ChannelPlan plan) {
        ChannelPlan old = map.putIfAbsent(key, plan);
        return old != null ? old : plan;
    }

    synchronized int size() {
        return map.size();
    }

    synchronized void clear() {
        map.clear();
    }

    int capacity() {
        return capacity;
    }
}
