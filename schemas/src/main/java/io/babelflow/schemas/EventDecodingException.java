package io.babelflow.schemas;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The one exception raised for bytes that are not a readable BabelFlow event: a missing or wrong
 * single-object header, a schema fingerprint no released version has, or a body that does not parse.
 * Streams apps catch exactly this type and route the record to the dead-letter topic.
 */
public class EventDecodingException extends SerializationException {
    private final String eventType;

    public EventDecodingException(String eventType, String message, Throwable cause) {
        super("cannot decode " + eventType + ": " + message, cause);
        this.eventType = eventType;
    }

    /** Simple name of the event type the bytes were expected to hold. */
    public String eventType() {
        return eventType;
    }
}
