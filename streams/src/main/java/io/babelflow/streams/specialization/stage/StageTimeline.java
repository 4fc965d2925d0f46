package io.babelflow.streams.specialization.stage;

import io.babelflow.events.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every stage change of a run's new languages, oldest first. */
public record StageTimeline(List<Entry> changes) {
    public static final StageTimeline EMPTY = new StageTimeline(List.of());

    public record Entry(String language, Stage from, Stage to, long step, Map<String, Double> signals, String reason,
            long createdAt) {
    }

    public StageTimeline with(Entry entry) {
        List<Entry> next = new ArrayList<>(changes);
        next.add(entry);
        return new StageTimeline(List.copyOf(next));
    }
}
