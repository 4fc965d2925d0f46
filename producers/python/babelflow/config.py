"""A run configuration in the Java trainer's YAML format (``trainer/configs/*.yaml``), checked key by key.

Only what a Python trainer needs to publish its run is interpreted here: run, model, training, languages,
probes and feedback (the reweighting policy the run asks for); other sections are kept in the text
published with RunStarted. A malformed file raises ``ConfigError`` naming the file and the key.
"""
import math
from pathlib import Path

import yaml

from .errors import ConfigError
from .mixture import weights_problem

ROLES = ("PRIMARY", "NEW", "PARALLEL", "INSTRUCTION")
SECTIONS = {
    "run": {"name": str, "steps": int, "seed": int},
    "model": {"layers": int, "dModel": int, "heads": int, "ffnWidth": int, "contextLength": int, "activation": str},
    "training": {"batchSize": int, "learningRate": float, "minLearningRate": float, "warmupSteps": int,
                 "decaySteps": int, "weightDecay": float, "beta1": float, "beta2": float, "epsilon": float,
                 "gradClipNorm": float},
    "probes": {"statsEvery": int, "evalEvery": int, "evalBatchSize": int, "maxProbeWindows": int},
}
POSITIVE = {"run.steps", "model.layers", "model.dModel", "model.heads", "model.ffnWidth", "model.contextLength",
            "training.batchSize", "training.learningRate"}


class RunConfig:
    """Attribute access to the sections: ``config.model["layers"]``, ``config.languages`` (list of dicts)."""

    def __init__(self, data, text, source):
        self.data = data
        self.text = text
        self.source = source
        for section in SECTIONS:
            setattr(self, section, data[section])
        self.languages = data["languages"]
        self.feedback = data.get("feedback")

    @property
    def language_ids(self):
        return [l["id"] for l in self.languages]

    @property
    def initial_weights(self):
        return {l["id"]: float(l["weight"]) for l in self.languages}

    @property
    def phases(self):
        """The config's mixture schedule: (fromStep, weights) pairs in step order."""
        return sorted(((p["fromStep"], p["weights"]) for p in (self.data.get("mixture") or {}).get("phases") or []),
                      key=lambda p: p[0])

    def model_shape(self):
        m = self.model
        return {"layers": m["layers"], "dModel": m["dModel"], "heads": m["heads"], "ffnWidth": m["ffnWidth"],
                "contextLength": m["contextLength"], "vocabSize": 256}

    def language_specs(self):
        return [{"id": l["id"], "role": l["role"], "initialWeight": float(l["weight"])} for l in self.languages]

    def with_steps(self, steps):
        data = dict(self.data, run=dict(self.data["run"], steps=steps))
        return RunConfig(_check(data, self.source), yaml.safe_dump(data, sort_keys=False), self.source)


def load(path):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read run config {path}: {e.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"run config {path} is not valid YAML: {str(e).splitlines()[0]}") from None
    return RunConfig(_check(data, path), text, path)


def _check(data, source):
    def fail(message):
        raise ConfigError(f"run config {source}: {message}")

    if not isinstance(data, dict):
        fail("expected a mapping of sections (run, model, training, languages, probes, ...)")
    for section, keys in SECTIONS.items():
        values = data.get(section)
        if not isinstance(values, dict):
            fail(f"section '{section}' is missing or not a mapping")
        for key, kind in keys.items():
            value = values.get(key)
            ok = isinstance(value, kind) and not isinstance(value, bool) or (
                kind is float and isinstance(value, int) and not isinstance(value, bool))
            if not ok:
                fail(f"'{section}.{key}' must be {'a number' if kind is float else kind.__name__}, found {value!r}")
            if kind is not str and (not math.isfinite(value) or value < 0 or
                                    (f"{section}.{key}" in POSITIVE and value == 0)):
                fail(f"'{section}.{key}' is {value}, out of range")
    if data["model"]["dModel"] % data["model"]["heads"]:
        fail(f"'model.dModel' {data['model']['dModel']} is not a multiple of 'model.heads' {data['model']['heads']}")
    if data["model"]["activation"].upper() not in ("GELU", "RELU"):
        fail(f"'model.activation' {data['model']['activation']!r} is not GELU or RELU")
    languages = data.get("languages")
    if not isinstance(languages, list) or not languages:
        fail("'languages' must be a non-empty list of {id, role, weight}")
    ids = []
    for i, lang in enumerate(languages):
        if not isinstance(lang, dict) or not isinstance(lang.get("id"), str) or lang.get("role") not in ROLES:
            fail(f"languages[{i}] must be {{id, role: {'|'.join(ROLES)}, weight}}, found {lang!r}")
        if lang["id"] in ids:
            fail(f"language '{lang['id']}' is listed twice")
        ids.append(lang["id"])
    weights = {l["id"]: l.get("weight") for l in languages}
    reason = weights_problem(weights, set(ids))
    if reason:
        fail("language weights: " + reason)
    phases = (data.get("mixture") or {}).get("phases") or []
    if not isinstance(phases, list):
        fail("'mixture.phases' must be a list of {fromStep, weights}")
    for i, phase in enumerate(phases):
        if not isinstance(phase, dict) or not isinstance(phase.get("fromStep"), int) or phase["fromStep"] < 0 \
                or not isinstance(phase.get("weights"), dict):
            fail(f"mixture.phases[{i}] must be {{fromStep: N >= 0, weights: {{language: weight}}}}, found {phase!r}")
        reason = weights_problem(phase["weights"], set(ids))
        if reason:
            fail(f"mixture.phases[{i}] weights: " + reason)
    feedback = data.get("feedback")
    if feedback is not None and (not isinstance(feedback, dict) or not isinstance(feedback.get("policy"), str)
                                 or not isinstance(feedback.get("params", {}) or {}, dict)):
        fail(f"'feedback' must be null or {{policy, params: {{key: value}}}}, found {feedback!r}")
    return data
