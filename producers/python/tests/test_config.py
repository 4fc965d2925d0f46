import contextlib
import io
import tempfile
import unittest
from pathlib import Path

from babelflow import ConfigError
from babelflow import config as run_config

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "producers" / "python" / "examples" / "tiny-feedback.yaml"


def write(text):
    path = Path(tempfile.mkdtemp()) / "run.yaml"
    path.write_text(text)
    return path


class RunConfigTest(unittest.TestCase):
    def test_reads_the_java_trainers_shipped_configs(self):
        for name in ("tiny", "babel-tower", "chatflow"):
            with self.subTest(name):
                cfg = run_config.load(REPO / "trainer" / "configs" / f"{name}.yaml")
                self.assertEqual(256, cfg.model_shape()["vocabSize"])
        cfg = run_config.load(EXAMPLE)
        self.assertEqual(["python", "go"], cfg.language_ids)
        self.assertEqual("schedule", cfg.feedback["policy"])
        self.assertEqual(25, cfg.with_steps(25).run["steps"])

    def test_a_malformed_config_names_the_file_and_the_key(self):
        good = EXAMPLE.read_text()
        cases = {
            "run: [unclosed": "is not valid YAML",
            good.replace("  layers: 2\n", ""): "'model.layers' must be int, found None",
            good.replace("learningRate: 3.0e-3", "learningRate: fast"): "'training.learningRate' must be a number",
            good.replace("heads: 4", "heads: 3"): "not a multiple of 'model.heads' 3",
            good.replace("weight: 1.0}", "weight: -1.0}"): "weight of 'python' is negative (-1.0)",
            good.replace("role: NEW", "role: OLD"): "languages[1] must be",
            good.replace("phases: []", "phases: [{fromStep: 5, weights: {rust: 1}}]"): "'rust' is not one of",
            "just text": "expected a mapping",
        }
        for text, message in cases.items():
            with self.subTest(message):
                path = write(text)
                with self.assertRaises(ConfigError) as raised:
                    run_config.load(path)
                self.assertIn(message, str(raised.exception))
                self.assertIn(str(path), str(raised.exception))
        with self.assertRaisesRegex(ConfigError, "cannot read run config /nonexistent.yaml"):
            run_config.load("/nonexistent.yaml")

    def test_the_example_trainer_exits_2_with_one_line_on_bad_input(self):
        import sys
        sys.path.insert(0, str(REPO / "producers" / "python" / "examples"))
        import torch_trainer
        out = Path(tempfile.mkdtemp())
        for args, message in (
                (["--config", str(write("run: {")), "--corpus", str(out)], "is not valid YAML"),
                (["--config", str(EXAMPLE), "--corpus", str(out)], "is not a prepared corpus"),
                (["--config", str(EXAMPLE), "--corpus", str(out), "--world-size", "0"], "--world-size 0")):
            with self.subTest(message):
                err = io.StringIO()
                with contextlib.redirect_stderr(err):
                    code = torch_trainer.main(args + ["--out", str(out / "run")])
                self.assertEqual(2, code)
                self.assertEqual(1, len(err.getvalue().strip().splitlines()), err.getvalue())
                self.assertIn(message, err.getvalue())
