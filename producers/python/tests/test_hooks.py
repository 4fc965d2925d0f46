import unittest

import torch

from babelflow import watch_ffn


class WatchFfnTest(unittest.TestCase):
    """Activations chosen by hand, so the counts and sums are known."""

    def setUp(self):
        self.model = torch.nn.Sequential(torch.nn.Identity(), torch.nn.ReLU())
        self.watcher = watch_ffn(self.model, ["1"], ["python", "go"])

    def test_counts_positive_activations_and_sums_them_per_language(self):
        x = torch.tensor([[[1.0, -1.0, 2.0], [3.0, 0.0, -2.0]],     # a python sequence of 2 positions
                          [[-1.0, 0.5, 0.0], [-3.0, 0.25, 4.0]]])   # a go sequence
        self.watcher.batch(["python", "go"])
        self.model(x)
        self.watcher.batch([1, 1])  # both go
        self.model(x)
        window = self.watcher.drain(0, 9)
        stats = window.layers_stats[0]
        self.assertEqual(("TRAIN", 0, 9), (window.source, window.start, window.end))
        self.assertEqual((0, 1, 3, ["python", "go"]), (stats["layer"], stats["layers"], stats["neurons"], stats["languages"]))
        self.assertEqual([2, 6], stats["tokens"])
        self.assertEqual([[2, 0, 1], [2, 4, 3]], window.counts(0))
        self.assertEqual([[4.0, 0.0, 2.0], [4.0, 1.5, 10.0]], window.sums(0))
        self.assertIsNone(self.watcher.drain(10, 19), "drain starts a new window")

    def test_heldout_passes_are_kept_apart_and_paused_passes_not_counted(self):
        x = torch.ones(1, 4, 3)
        self.watcher.batch(["go"])
        with self.watcher.source("HELDOUT"):
            self.model(x)
        with self.watcher.paused():
            self.model(x)
        self.assertTrue(self.watcher.is_empty("TRAIN"))
        window = self.watcher.drain(5, 5, "HELDOUT")
        self.assertEqual([[0, 0, 0], [4, 4, 4]], window.counts(0))
        self.assertEqual([0, 4], window.layers_stats[0]["tokens"])

    def test_no_activation_reaches_the_host_before_drain(self):
        x = torch.ones(2, 3, 3, requires_grad=True)
        self.watcher.batch(["python", "go"])
        self.model(x).sum().backward()  # hooks inside a training step leave the graph alone
        self.assertFalse(self.watcher.is_empty())
        self.assertTrue(all(isinstance(t, torch.Tensor) for t in self.watcher._totals["TRAIN"]))

    def test_names_an_unknown_module(self):
        with self.assertRaisesRegex(ValueError, "no submodule 'ffn'"):
            watch_ffn(self.model, ["ffn"], ["python"])
