package io.babelflow.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.TrainStep;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.trainer.FixtureCorpus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path tmp;

    @Test
    void smoke() {
        Path corpus = FixtureCorpus.write(tmp.resolve("corpus"));
        Path config = FixtureCorpus.tinyConfig(tmp.resolve("cfg"));
        RunResult result = Trainer.run(TrainOptions.builder(corpus, tmp.resolve("run")).config(config)
                .progress(p -> System.out.println(p.line())).stopOnSignal(false).build());
        List<SpecificRecord> events = TelemetryFile.readAll(tmp.resolve("run/telemetry.avro"));
        for (SpecificRecord e : events) {
            if (!(e instanceof TrainStep) && !(e instanceof io.babelflow.events.ActivationStats)) {
                System.out.println(e);
            }
        }
        System.out.println(result);
    }
}
