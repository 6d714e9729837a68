package dev.clipcurate.pipeline.dedup;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For each Flink key group, the smallest non-negative integer key that falls in it: a record keyed by it reaches the
 * subtask that holds every key of that group, under any parallelism of the same maximum.
 */
final class KeyGroupRoutes {
    private static final ConcurrentHashMap<Integer, int[]> ROUTES = new ConcurrentHashMap<>();

    private KeyGroupRoutes() {}

    /** The integer key that routes to key group {@code group} of {@code maxParallelism}. */
    static int route(int group, int maxParallelism) {
        return ROUTES.computeIfAbsent(maxParallelism, KeyGroupRoutes::representatives)[group];
    }

    private static int[] representatives(int maxParallelism) {
        int[] route = new int[maxParallelism];
        Arrays.fill(route, -1);
        for (int key = 0, found = 0; found < maxParallelism; key++) {
            int group = KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism);
            if (route[group] < 0) {
                route[group] = key;
                found++;
            }
        }
        return route;
    }
}
