package io.babelflow.schemas;

/**
 * Bad input from a user: a missing corpus, an invalid config, out-of-range weights. The message
 * names the problem and what to do; the CLI prints it without a stack trace and exits with code 2.
 */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
