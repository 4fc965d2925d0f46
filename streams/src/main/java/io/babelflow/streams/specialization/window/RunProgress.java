package io.babelflow.streams.specialization.window;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per run: the newest closed window, its neuron sets (for the next window's Jaccard overlap),
 * and the window ends whose probabilities are kept for history queries, oldest first.
 *
 * @param previous layer to language to sorted neuron ids of the newest closed window
 */
public record RunProgress(long lastClosedWindowEnd, Map<Integer, Map<String, int[]>> previous,
        List<Long> historyWindows) {
    public static final RunProgress EMPTY = new RunProgress(-1, Map.of(), List.of());

    /**
     * A window is closed when it ends at or before the newest closed one and is not open: records
     * for it are late. (A window nobody reported until a later one closed counts as closed too.)
     */
    public boolean closes(long windowEnd) {
        return windowEnd <= lastClosedWindowEnd;
    }

    public RunProgress withClosed(long windowEnd, Map<Integer, Map<String, int[]>> sets) {
        return windowEnd > lastClosedWindowEnd ? new RunProgress(windowEnd, sets, historyWindows) : this;
    }

    /** Adds a history window; returns the progress and, via {@code evicted}, the windows to drop. */
    public RunProgress withHistory(long windowEnd, int keep, List<Long> evicted) {
        List<Long> windows = new ArrayList<>(historyWindows);
        if (!windows.contains(windowEnd)) {
            windows.add(windowEnd);
            windows.sort(null);
        }
        while (windows.size() > keep) {
            evicted.add(windows.remove(0));
        }
        return new RunProgress(lastClosedWindowEnd, previous, List.copyOf(windows));
    }
}
