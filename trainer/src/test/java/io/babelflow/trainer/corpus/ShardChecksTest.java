package io.babelflow.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.schemas.InvalidInputException;
import io.babelflow.trainer.FixtureCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shard changed after preparation is refused, naming it; an old corpus without checks still opens. */
class ShardChecksTest {
    @TempDir
    Path tmp;

    private void assertRefused(Path corpus, String shard, String problem) {
        var e = assertThrows(InvalidInputException.class, () -> PreparedCorpus.open(corpus));
        assertTrue(e.getMessage().contains(corpus.resolve(shard).toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().contains("babelflow corpus prepare"), e.getMessage());
    }

    @Test
    void aPreparedCorpusRecordsEveryShardAndOpens() {
        Path corpus = FixtureCorpus.write(tmp.resolve("c"));
        PreparedCorpus opened = PreparedCorpus.open(corpus);
        assertEquals(6, opened.summary().shards().size(), "train, heldout and probe of python and go");
    }

    @Test
    void randomBytesInPlaceOfATrainingShardAreRefused() throws Exception {
        Path corpus = FixtureCorpus.write(tmp.resolve("c"));
        Path train = corpus.resolve("python/train.bin");
        byte[] noise = new byte[(int) Files.size(train)];
        new Random(1).nextBytes(noise);
        Files.write(train, noise);
        assertRefused(corpus, "python/train.bin", "checksum");
    }

    @Test
    void aTruncatedShardIsRefused() throws Exception {
        Path corpus = FixtureCorpus.write(tmp.resolve("c"));
        Path train = corpus.resolve("go/train.bin");
        Files.write(train, java.util.Arrays.copyOf(Files.readAllBytes(train), 100));
        assertRefused(corpus, "go/train.bin", "has 100 bytes");
    }

    @Test
    void anEmptiedHeldOutShardIsRefused() throws Exception {
        Path corpus = FixtureCorpus.write(tmp.resolve("c"));
        Files.write(corpus.resolve("go/heldout.bin"), new byte[0]);
        assertRefused(corpus, "go/heldout.bin", "has 0 bytes");
    }

    @Test
    void aCorpusPreparedBeforeChecksumsOpensWithAWarning() throws Exception {
        Path corpus = FixtureCorpus.write(tmp.resolve("c"));
        Path summary = corpus.resolve(PreparedCorpus.SUMMARY);
        String json = Files.readString(summary);
        Files.writeString(summary, json.substring(0, json.indexOf(",\n  \"shards\"")) + "\n}\n");
        assertEquals(2, PreparedCorpus.open(corpus).languageIds().size());
    }
}
