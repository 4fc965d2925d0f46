package io.babelflow.ops.cli;

import io.babelflow.events.LanguageRole;
import io.babelflow.trainer.corpus.CorpusManifest;
import io.babelflow.trainer.corpus.CorpusPreparer;
import io.babelflow.trainer.corpus.MissingSource;
import io.babelflow.trainer.corpus.PrepareListener;
import io.babelflow.trainer.corpus.PreparationResult;
import io.babelflow.trainer.corpus.PreparedCorpus;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Corpus preparation: per-language train / held-out / probe shards from real sources. */
@Command(name = "corpus", mixinStandardHelpOptions = true, description = "Prepare training corpora.",
        subcommands = {CorpusCommand.Prepare.class})
public final class CorpusCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = {"Build train / held-out / probe shards per language from a preset or a manifest.",
                    "Presets: code (Python stdlib first, then C++, Go, Rust, Ruby, Perl, Java from Debian packages),",
                    "zh-en (ChatFlow: English, Chinese, en-zh parallel pairs, instructions).",
                    "Missing sources print the apt package that provides them; preparation goes on without them."})
    static final class Prepare implements Callable<Integer> {
        static final class Source {
            @Option(names = "--preset", paramLabel = "NAME", description = "code or zh-en.")
            String preset;

            @Option(names = "--manifest", paramLabel = "FILE", description = "A corpus manifest (YAML).")
            Path manifest;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
        Path out;

        @Option(names = "--seed", defaultValue = "1234", description = "Split and sampling seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--max-bytes-per-language", defaultValue = "4194304", paramLabel = "N",
                description = "Cap per language, so CPU training stays small (default: ${DEFAULT-VALUE}).")
        long maxBytes;

        @Option(names = "--force", description = "Replace an existing prepared corpus in --out.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            CorpusManifest manifest = source.preset != null ? CorpusManifest.preset(source.preset)
                    : CorpusManifest.load(source.manifest);
            CorpusPreparer.Options options = CorpusPreparer.Options.defaults().withSeed(seed)
                    .withMaxBytesPerLanguage(maxBytes).withOverwrite(force);
            PrepareListener progress = new PrepareListener() {
                @Override
                public void sourceMissing(MissingSource missing) {
                    System.err.println("missing: " + missing.languageId() + " (" + missing.root() + ") - "
                            + missing.installHint());
                }

                @Override
                public void languageStarted(String id, LanguageRole role, int files) {
                    System.err.printf("%-10s %-11s reading up to %d files ...%n", id, role, files);
                }

                @Override
                public void languageFinished(PreparedCorpus.LanguageInfo info) {
                    System.err.printf("%-10s done: %,d train bytes, %,d held-out bytes%n", info.id(),
                            info.trainBytes(), info.heldoutBytes());
                }

                @Override
                public void warning(String message) {
                    System.err.println("warning: " + message);
                }
            };
            PreparationResult result = new CorpusPreparer(options, progress).prepare(manifest, out);
            System.out.print(result.table());
            return 0;
        }
    }

}
