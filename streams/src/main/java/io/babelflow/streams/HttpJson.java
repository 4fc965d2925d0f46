package io.babelflow.streams;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/** One JSON answer on the JDK's HTTP server, for the query servers of every app. */
public final class HttpJson {
    private HttpJson() {
    }

    /** Writes {@code body} as JSON with {@code status} and closes the exchange's body. */
    public static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JsonSerde.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
