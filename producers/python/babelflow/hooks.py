"""``watch_ffn``: FFN activation statistics per language and neuron, accumulated inside the graph.

A forward hook on each layer's FFN activation module (the module whose output is the post-activation
value, e.g. ``nn.GELU``) adds, per language, the count of positions with activation > 0 and the sum of
the activations, as the Java trainer's ``ActivationStatsAccumulator`` does: per layer the per-sequence
counts and sums [B, 2N] are reduced to languages with one matmul by the transposed language one-hot
[L, B], on the model's device. Nothing is copied to the host until ``drain`` (every K steps).
Statistics go to the TRAIN accumulator, or to HELDOUT inside ``with watcher.source("HELDOUT")``.
"""
import contextlib
import struct
import sys

import torch

SOURCES = ("TRAIN", "HELDOUT")


class StatsWindow:
    """A drained window: per layer the fields of one ActivationStats record (for ``Run.activation_stats``)."""

    def __init__(self, source, start, end, layers_stats):
        self.source = source
        self.start = start
        self.end = end
        self.layers_stats = layers_stats

    def counts(self, layer):
        """The active-count matrix of a layer as a list of rows (languages x neurons), for inspection."""
        return _unpack(self.layers_stats[layer], "activeCounts")

    def sums(self, layer):
        return _unpack(self.layers_stats[layer], "activationSums")


def _unpack(stats, field):
    n = stats["neurons"]
    values = struct.unpack(f"<{len(stats[field]) // 4}f", stats[field])
    return [list(values[i * n:(i + 1) * n]) for i in range(len(stats["languages"]))]


class FfnWatcher:
    def __init__(self, modules, languages):
        self.languages = list(languages)
        if not self.languages:
            raise ValueError("watch_ffn needs at least one language")
        self.modules = list(modules)
        if not self.modules:
            raise ValueError("watch_ffn needs the FFN activation module of at least one layer")
        self._totals = {s: [None] * len(self.modules) for s in SOURCES}
        self._tokens = {s: None for s in SOURCES}
        self._source = "TRAIN"
        self._one_hot = None    # [B, L] of the batch being run
        self._by_language = None
        self._handles = [m.register_forward_hook(self._hook(i)) for i, m in enumerate(self.modules)]

    def batch(self, language_ids):
        """Declares the language of each sequence of the next forward pass (language ids or indices)."""
        index = [self.languages.index(l) if isinstance(l, str) else int(l) for l in language_ids]
        self._one_hot = torch.nn.functional.one_hot(torch.tensor(index), len(self.languages)).float()
        self._by_language = None

    @contextlib.contextmanager
    def source(self, source):
        """Statistics of forward passes inside the block go to ``source`` (TRAIN or HELDOUT)."""
        if source not in SOURCES:
            raise ValueError(f"source {source!r} is not one of {SOURCES}")
        previous, self._source = self._source, source
        try:
            yield self
        finally:
            self._source = previous

    @contextlib.contextmanager
    def paused(self):
        """Forward passes inside the block are not counted."""
        one_hot, self._one_hot = self._one_hot, None
        try:
            yield self
        finally:
            self._one_hot = one_hot

    def _hook(self, layer):
        def hook(_module, _inputs, output):
            if self._one_hot is None:
                return
            with torch.no_grad():
                h = output.detach()
                if h.dim() == 2:  # [B, N] without a sequence axis
                    h = h.unsqueeze(1)
                if self._by_language is None or self._by_language.device != h.device:
                    self._by_language = self._one_hot.to(h.device, h.dtype).t()  # [L, B]
                per_sequence = torch.cat(((h > 0).sum(1, dtype=h.dtype), h.sum(1)), 1)  # [B, 2N]
                add = self._by_language @ per_sequence
                totals = self._totals[self._source]
                totals[layer] = add if totals[layer] is None else totals[layer].add_(add)
                if layer == 0:
                    tokens = self._by_language.sum(1) * h.shape[1]
                    current = self._tokens[self._source]
                    self._tokens[self._source] = tokens if current is None else current.add_(tokens)
        return hook

    def is_empty(self, source="TRAIN"):
        return self._tokens[source] is None

    def drain(self, window_start, window_end, source="TRAIN"):
        """Copies the totals out as a window (packed little-endian float32, as the schema says) and starts
        a new one. Returns None when no forward pass was counted."""
        if self.is_empty(source):
            return None
        tokens = [int(t) for t in self._tokens[source].round().tolist()]
        layers = []
        for layer, total in enumerate(self._totals[source]):
            if total is None:
                raise RuntimeError(f"layer {layer}'s FFN module saw no forward pass in this window")
            n = total.shape[1] // 2
            matrix = total.float().cpu()
            layers.append({"layer": layer, "layers": len(self.modules), "neurons": n, "languages": self.languages,
                           "tokens": tokens, "activeCounts": _pack(matrix[:, :n]),
                           "activationSums": _pack(matrix[:, n:])})
        self._totals[source] = [None] * len(self.modules)
        self._tokens[source] = None
        return StatsWindow(source, window_start, window_end, layers)

    def remove(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []


def _pack(matrix):
    array = matrix.contiguous().numpy()
    if sys.byteorder != "little":
        array = array.byteswap()
    return array.tobytes()


def watch_ffn(model, modules, languages):
    """Hooks ``modules`` (one FFN activation module per layer, in layer order; names of ``model``'s
    submodules or the modules themselves) and returns the ``FfnWatcher`` collecting their statistics."""
    named = dict(model.named_modules())
    resolved = []
    for m in modules:
        if isinstance(m, str):
            if m not in named:
                raise ValueError(f"model has no submodule {m!r}")
            m = named[m]
        resolved.append(m)
    return FfnWatcher(resolved, languages)
