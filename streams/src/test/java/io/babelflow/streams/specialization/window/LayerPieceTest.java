package io.babelflow.streams.specialization.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.StatsSource;
import io.babelflow.schemas.PackedFloats;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A layer's ranks added up before the repartition, and their compact encoding. */
class LayerPieceTest {

    private static ActivationStats stats(int rank, List<String> languages, long[] tokens, float[] counts) {
        return ActivationStats.newBuilder().setRunId("r").setRank(rank).setWorldSize(3).setSequence(1)
                .setSource(StatsSource.HELDOUT).setWindowStart(0).setWindowEnd(9).setLayer(1).setLayers(2)
                .setNeurons(2).setLanguages(languages).setTokens(List.of(tokens[0], tokens[1]))
                .setActiveCounts(PackedFloats.pack(counts)).setActivationSums(PackedFloats.pack(new float[4])).build();
    }

    @Test
    void addsRanksUntilTheWorldIsCompleteAndRemembersWhatWasForwarded() {
        ActivationStats r0 = stats(0, List.of("python", "go"), new long[] {10, 20}, new float[] {1, 2, 3, 4});
        LayerPiece piece = LayerPiece.open(r0, 1000);
        piece.add(r0, 4, 17, 5, 1000);
        piece.add(stats(2, List.of("go", "python"), new long[] {30, 40}, new float[] {5, 6, 7, 8}), 4, 19, 6, 1500);
        assertFalse(piece.complete());
        LayerPiece out = piece.takePending();
        assertEquals(List.of(0, 2), out.rankList());
        assertEquals(50, out.counts().tokens("python"));
        assertEquals(8, out.counts().count("python", 0), 0.0);
        assertEquals(10, out.counts().count("go", 1), 0.0);
        assertEquals(19, out.offset(1));
        assertFalse(piece.pending());
        assertTrue(piece.seen(2), "forwarded ranks are remembered");
        assertFalse(piece.seen(1));
        assertNull(piece.mismatch(r0));
        assertTrue(piece.mismatch(ActivationStats.newBuilder(r0).setNeurons(3).build()).contains("neurons 3"));
        piece.add(stats(1, List.of("python", "go"), new long[] {1, 1}, new float[] {1, 0, 0, 1}), 4, 30, 7, 9000);
        assertTrue(piece.complete());
        assertEquals(9000, piece.pendingSinceMs());
        assertEquals(1000, piece.openedMs());
    }

    @Test
    void piecesRoundTripSmallWholeCountsAsUint16LargerAsInt32AndFractionsAsFloat64() {
        ActivationStats whole = stats(0, List.of("python", "go"), new long[] {10, 20}, new float[] {1, 2, 3, 4});
        LayerPiece piece = LayerPiece.open(whole, 1000);
        piece.add(whole, 2, 42, 5, 1000);
        byte[] wholeBytes = BinaryStateSerdes.LAYER_PIECE.serializer().serialize("t", piece);
        LayerPiece back = BinaryStateSerdes.LAYER_PIECE.deserializer().deserialize("t", wholeBytes);
        assertEquals(List.of(0), back.rankList());
        assertEquals(42, back.offset(0));
        assertEquals(2, back.partition(0));
        assertEquals(1000, back.openedMs());
        assertEquals(4, back.counts().count("go", 1), 0.0);
        assertEquals(20, back.counts().tokens("go"));

        ActivationStats fraction = stats(1, List.of("python", "go"), new long[] {10, 20}, new float[] {0.5f, 2, 3, 4});
        piece.add(fraction, 2, 43, 6, 1001);
        byte[] fractionBytes = BinaryStateSerdes.LAYER_PIECE.serializer().serialize("t", piece);
        back = BinaryStateSerdes.LAYER_PIECE.deserializer().deserialize("t", fractionBytes);
        assertEquals(1.5, back.counts().count("python", 0), 0.0);
        assertEquals(4 * (Double.BYTES - Character.BYTES), fractionBytes.length - wholeBytes.length
                - (2 * Integer.BYTES + Long.BYTES), "four cells went from 2 to 8 bytes");
        assertArrayEquals(new int[] {0, 1}, back.ranks());

        LayerPiece large = LayerPiece.open(whole, 1000);
        large.add(stats(0, List.of("python", "go"), new long[] {100_000, 20}, new float[] {65535, 65536, 0, 4}), 2, 44,
                7, 1002);
        byte[] largeBytes = BinaryStateSerdes.LAYER_PIECE.serializer().serialize("t", large);
        back = BinaryStateSerdes.LAYER_PIECE.deserializer().deserialize("t", largeBytes);
        assertEquals(65535, back.counts().count("python", 0), 0.0);
        assertEquals(65536, back.counts().count("python", 1), 0.0, "past 16 bits: int32, exact");
        assertEquals(4 * (Integer.BYTES - Character.BYTES), largeBytes.length - wholeBytes.length, "int32 cells");
    }

    @Test
    void theChangelogKeepsSourcesOnlyAndARestartRebuildsTheSumsFromTheRecords() {
        ActivationStats r0 = stats(0, List.of("python", "go"), new long[] {10, 20}, new float[] {1, 2, 3, 4});
        ActivationStats r2 = stats(2, List.of("go", "python"), new long[] {30, 40}, new float[] {5, 6, 7, 8});
        LayerPiece piece = LayerPiece.open(r0, 1000);
        piece.add(r0, 4, 17, 5, 1000);
        piece.add(r2, 4, 19, 6, 1500);
        byte[] refs = BinaryStateSerdes.LAYER_PIECE_REFS.serializer().serialize("t", piece);
        byte[] whole = BinaryStateSerdes.LAYER_PIECE.serializer().serialize("t", piece);
        assertTrue(refs.length < 150 && whole.length > refs.length, refs.length + " bytes of sources");

        LayerPiece restored = BinaryStateSerdes.LAYER_PIECE_REFS.deserializer().deserialize("t", refs);
        assertEquals(List.of(0, 2), restored.rankList());
        assertEquals(0, restored.counts().languages().size(), "no counts in the changelog");
        // offset 19 is gone (retention): rank 2 is dropped and will count as missing
        restored.recount((partition, offset) -> partition == 4 && offset == 17 ? r0 : null);
        assertEquals(List.of(0), restored.rankList());
        assertEquals(10, restored.counts().tokens("python"));
        assertEquals(3, restored.counts().count("go", 0), 0.0);

        restored.recount((partition, offset) -> offset == 17 ? r0 : offset == 19 ? r2 : null);
        assertEquals(List.of(0), restored.rankList(), "a dropped rank stays dropped");
        LayerPiece other = LayerPiece.open(r2, 2000);
        other.add(r2, 5, 3, 9, 2000);
        restored.absorb(other);
        assertEquals(List.of(0, 2), restored.rankList());
        assertEquals(5, restored.partition(1));
        assertEquals(3, restored.offset(1));
        assertEquals(50, restored.counts().tokens("python"));
        assertEquals(10, restored.counts().count("go", 1), 0.0);
        assertEquals(9, restored.lastTimestamp());
    }

    @Test
    void historyProbabilitiesAreStoredToOne65535th() {
        float[] p = {0f, 1f, 0.5f, 0.123456f, 1e-6f, 0.9999f, 1.5f, -0.1f};
        LayerProbabilities back = BinaryStateSerdes.LAYER_PROBABILITIES.deserializer().deserialize("t",
                BinaryStateSerdes.LAYER_PROBABILITIES.serializer().serialize("t",
                        new LayerProbabilities(99, List.of("python", "go"), 4, p)));
        assertEquals(99, back.windowEnd());
        assertEquals(0.0, back.values()[0], 0.0, "0 exactly");
        assertEquals(1.0, back.values()[1], 0.0, "1 exactly");
        for (int i = 2; i < 6; i++) {
            assertEquals(p[i], back.values()[i], LayerProbabilities.STEP / 2 + 1e-7, "value " + i);
        }
        assertEquals(1.0, back.values()[6], 0.0, "clamped to 1");
        assertEquals(0.0, back.values()[7], 0.0, "clamped to 0");
        assertEquals(0.5, back.neuron(1).get("python"), LayerProbabilities.STEP / 2);
    }
}
