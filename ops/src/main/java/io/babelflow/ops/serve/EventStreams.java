package io.babelflow.ops.serve;

import com.sun.net.httpserver.HttpExchange;
import io.babelflow.streams.observatory.ObservatoryQueries;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/events}: server-sent events of the runs asked for, whichever instance owns them.
 * Runs of this instance come from its {@link EventHub} (ids, {@code Last-Event-ID} resumes); runs
 * owned by another instance come from that instance's own stream ({@code ?local=1}), relayed: as
 * is (ids included, so resuming works) when it owns every run asked for, else merged into this
 * stream without their ids (a reconnecting page resumes this instance's events and gets the other
 * instances' from then on). Without {@code run}: every run of every instance.
 */
final class EventStreams {
    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
    private static final long HEARTBEAT_MILLIS = 10_000;

    private final ObservatoryQueries queries;
    private final EventHub hub;
    private final HttpClient client;
    private final ExecutorService relays;

    EventStreams(ObservatoryQueries queries, EventHub hub, HttpClient client, ExecutorService relays) {
        this.queries = queries;
        this.hub = hub;
        this.client = client;
        this.relays = relays;
    }

    /** Serves the stream until the page goes away; {@code lastEventId} may be null. */
    void serve(HttpExchange exchange, List<String> runs, boolean localOnly, String lastEventId)
            throws IOException, InterruptedException {
        Long cursor = null;
        if (lastEventId != null) {
            try {
                cursor = Long.parseLong(lastEventId.strip());
            } catch (NumberFormatException e) {
                throw new ObservatoryServer.BadRequest("Last-Event-ID must be a number, got '" + lastEventId + "'");
            }
        }
        List<String> mine = new ArrayList<>();
        Map<HostInfo, List<String>> theirs = new LinkedHashMap<>();
        if (localOnly) {
            mine.addAll(runs);
        } else if (runs.isEmpty()) {
            queries.otherInstances().forEach(h -> theirs.put(h, List.of()));
        } else {
            for (String run : runs) {
                Optional<HostInfo> owner = queries.remoteOwner(run);
                if (owner.isPresent()) {
                    theirs.computeIfAbsent(owner.get(), h -> new ArrayList<>()).add(run);
                } else {
                    mine.add(run);
                }
            }
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        if (!runs.isEmpty() && mine.isEmpty() && theirs.size() == 1) {
            var only = theirs.entrySet().iterator().next();
            relay(only.getKey(), only.getValue(), lastEventId, out, true);
            return;
        }
        Thread self = Thread.currentThread();
        List<Future<?>> running = new ArrayList<>();
        theirs.forEach((host, asked) -> running.add(relays.submit(() -> {
            try {
                relay(host, asked, null, out, false);
            } catch (IOException e) {
                LOG.debug("relay from {} ended: {}", host, e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
            self.interrupt(); // a lost relay ends the page's stream: it reconnects and is routed afresh
        })));
        try {
            local(mine, runs.isEmpty(), cursor, out);
        } finally {
            running.forEach(f -> f.cancel(true));
        }
    }

    /** This instance's events of {@code runs} ({@code all}: every run), from {@code cursor} on. */
    private void local(List<String> runs, boolean all, Long given, OutputStream out)
            throws IOException, InterruptedException {
        long cursor = given == null ? hub.lastId() : given;
        StringBuilder frame = new StringBuilder("retry: 1000\n\n");
        if (cursor > hub.lastId()) { // an id of an earlier server: start over
            frame.append("event: reset\ndata: {}\n\n");
            cursor = hub.lastId();
        }
        write(out, frame);
        while (!Thread.currentThread().isInterrupted()) {
            EventHub.Batch batch = hub.after(cursor, HEARTBEAT_MILLIS);
            if (batch.gap()) {
                cursor = hub.lastId();
                frame.append("id: ").append(cursor).append("\nevent: reset\ndata: {}\n\n");
            } else if (batch.events().isEmpty()) {
                frame.append(": ping\n\n");
            }
            for (EventHub.Event e : batch.events()) {
                cursor = e.id();
                if (all || e.runId() == null || runs.contains(e.runId())) {
                    frame.append("id: ").append(e.id()).append("\nevent: update\ndata: ").append(e.json()).append("\n\n");
                }
            }
            write(out, frame);
        }
    }

    /** Another instance's stream of {@code runs}, frame by frame; {@code withIds}: its ids and retry too. */
    private void relay(HostInfo host, List<String> runs, String lastEventId, OutputStream out, boolean withIds)
            throws IOException, InterruptedException {
        String query = runs.stream().map(r -> "run=" + URLEncoder.encode(r, StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port()
                + "/api/events?" + (query.isEmpty() ? "" : query + "&") + "local=1")).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException("instance " + host + " answered " + response.statusCode());
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            StringBuilder frame = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isEmpty()) {
                    if (withIds || !(line.startsWith("id:") || line.startsWith("retry:"))) {
                        frame.append(line).append('\n');
                    }
                } else if (frame.length() > 0) {
                    write(out, frame.append('\n'));
                }
            }
        }
    }

    private static void write(OutputStream out, StringBuilder frame) throws IOException {
        if (frame.length() > 0) {
            synchronized (out) { // the local stream and relays share the page's connection
                out.write(frame.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            frame.setLength(0);
        }
    }
}
