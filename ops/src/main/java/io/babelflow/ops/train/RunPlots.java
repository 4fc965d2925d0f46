package io.babelflow.ops.train;

import io.babelflow.events.EvalResult;
import io.babelflow.events.TrainStep;
import io.babelflow.ops.plot.LineChart;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.trainer.train.Trainer;
import java.nio.file.Path;
import java.util.List;

/** The curves of a finished run, as PNGs in its folder: losses per language and mixture weights over steps. */
public final class RunPlots {
    private RunPlots() {
    }

    public static List<Path> write(Path runDir) {
        LineChart loss = new LineChart("Loss per language", "step", "cross-entropy (nats/byte)");
        LineChart mixture = new LineChart("Corpus mixture in force", "step", "weight");
        TelemetryFile.read(runDir.resolve(Trainer.TELEMETRY_FILE), event -> {
            if (event instanceof TrainStep s) {
                s.getLanguageLoss().forEach((lang, l) -> loss.add(lang + " (train)", s.getStep(), l));
                s.getMixtureWeights().forEach((lang, w) -> mixture.add(lang, s.getStep(), w));
            } else if (event instanceof EvalResult e) {
                e.getLanguageLoss().forEach((lang, l) -> loss.add(lang + " (held-out)", e.getStep(), l));
            }
        });
        Path lossPng = runDir.resolve("loss.png");
        Path mixturePng = runDir.resolve("mixture.png");
        loss.writePng(lossPng, 1000, 560);
        mixture.writePng(mixturePng, 1000, 420);
        return List.of(lossPng, mixturePng);
    }
}
