package io.babelflow.trainer.train;

import java.nio.file.Path;

/** A long run in its own JVM for {@link StopSignalTest}: prints each status line so the test knows it is training. */
public final class SignalledRun {
    private SignalledRun() {
    }

    public static void main(String[] args) {
        Trainer.run(TrainOptions.builder(Path.of(args[0]), Path.of(args[2])).config(Path.of(args[1])).steps(1_000_000)
                .progress(p -> {
                    System.out.println("step " + p.step());
                    System.out.flush();
                }).build());
    }
}
