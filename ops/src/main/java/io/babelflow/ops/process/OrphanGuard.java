package io.babelflow.ops.process;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Entry point of a child JVM started by {@link ChildJvm}: runs {@code args[0]}'s main with the rest
 * of the arguments and exits (running shutdown hooks, so brokers and apps close cleanly) when its
 * standard input reaches end of file. The parent holds the write end of that pipe, and the kernel
 * closes it however the parent ends, SIGKILL included: a child never outlives its parent.
 */
public final class OrphanGuard {
    /** Exit code when the parent went away; 128 + SIGHUP, as a shell reports a hung-up child. */
    static final int PARENT_GONE = 129;

    private OrphanGuard() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: OrphanGuard MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        Thread watch = new Thread(() -> {
            try (InputStream in = System.in) {
                byte[] buffer = new byte[256];
                while (in.read(buffer) >= 0) {
                    // the parent writes nothing; reading only detects its end
                }
            } catch (IOException e) {
                // a broken pipe means the same as end of file
            }
            System.exit(PARENT_GONE);
        }, "orphan-guard");
        watch.setDaemon(true);
        watch.start();
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
