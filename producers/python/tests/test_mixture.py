import json
import math
import unittest
from pathlib import Path

from babelflow.mixture import MixtureSampler, normalise, problem

RULES = Path(__file__).resolve().parents[3] / "schemas" / "src" / "test" / "resources" / "mixture-update-rules.json"


def number(value):
    return float(value) if isinstance(value, str) else value


class MixtureRulesTest(unittest.TestCase):
    """The rule as written once in mixture-update-rules.json; the Java validator's test reads the same file."""

    def test_follows_the_written_rules(self):
        spec = json.loads(RULES.read_text())
        languages = set(spec["languages"])
        for case in spec["cases"]:
            with self.subTest(case["name"]):
                weights = {k: number(v) for k, v in case["weights"].items()}
                reason = problem(case["version"], weights, languages, spec["currentVersion"])
                self.assertEqual(case["valid"], reason is None, reason)
                if "reason" in case:
                    self.assertIn(case["reason"], reason)
                if "normalised" in case:
                    got = normalise(weights, sorted(languages))
                    for lang, expected in case["normalised"].items():
                        self.assertAlmostEqual(expected, got[lang], places=12)
        self.assertGreaterEqual(len(spec["cases"]), 15)


class MixtureSamplerTest(unittest.TestCase):
    def test_an_offered_update_takes_effect_at_the_next_step_boundary(self):
        sampler = MixtureSampler(["python", "go"], {"python": 1.0})
        before = sampler.begin_step()
        self.assertEqual((0, {"python": 1.0, "go": 0.0}), (before.version, before.weights))
        self.assertIsNone(sampler.offer(1, {"python": 1.0, "go": 3.0}))
        self.assertEqual(0, before.version, "the step in progress keeps its mixture")
        after = sampler.begin_step()
        self.assertEqual((1, {"python": 0.25, "go": 0.75}), (after.version, after.weights))

    def test_a_rejected_update_keeps_the_weights_in_force(self):
        sampler = MixtureSampler(["python", "go"], {"python": 1.0})
        self.assertIn("'rust'", sampler.offer(1, {"rust": 1.0}))
        self.assertIn("not newer", sampler.offer(0, {"go": 1.0}))
        self.assertIsNone(sampler.offer(5, {"go": 1.0}))
        self.assertIn("not greater than version 5 already received", sampler.offer(4, {"python": 1.0}), "a pending version counts")
        self.assertEqual(5, sampler.begin_step().version)

    def test_draws_only_languages_with_weight(self):
        sampler = MixtureSampler(["python", "go"], {"go": 2.0}, seed=3)
        self.assertEqual({"go"}, set(sampler.draw(sampler.begin_step(), 50)))

    def test_invalid_initial_weights_are_refused(self):
        with self.assertRaisesRegex(ValueError, "negative"):
            MixtureSampler(["python"], {"python": -1.0})
        with self.assertRaisesRegex(ValueError, "finite"):
            MixtureSampler(["python"], {"python": math.nan})
