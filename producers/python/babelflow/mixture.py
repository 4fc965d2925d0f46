"""Mixture weights: the rule an update must satisfy (the one written in
``schemas/src/test/resources/mixture-update-rules.json``, tested by the Java trainer's validator too)
and the sampler whose weights change only at a step boundary."""
import math
import random
import threading


MAX_VERSION_JUMP = 1_000_000  # as MixtureWeights.MAX_VERSION_JUMP: one record cannot lock the mixture


def weights_problem(weights, languages):
    """None when the weights are usable: only the run's languages, finite, >= 0, one positive."""
    if not weights:
        return "no weights given"
    positive = False
    for lang, w in weights.items():
        if lang not in languages:
            return f"'{lang}' is not one of the run's languages [{', '.join(sorted(languages))}]"
        if w is None or isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w):
            return f"weight of '{lang}' is {_java(w)}, not a finite number"
        if w < 0:
            return f"weight of '{lang}' is negative ({w})"
        positive |= w > 0
    return None if positive else "weights sum to 0.0; at least one language needs a positive weight"


def version_problem(version, latest):
    """None when ``version`` may follow ``latest``, the latest version received."""
    if version <= latest:
        return f"version {version} is not newer: not greater than version {latest} already received"
    if version - latest > MAX_VERSION_JUMP:
        return f"version {version} jumps more than {MAX_VERSION_JUMP} past version {latest} already received"
    return None


def problem(version, weights, languages, latest):
    """None when a control-topic update may replace the weights in force, otherwise why it must be rejected.
    The Java trainer's ``MixtureWeights.problem`` applies the same rule (and the same words)."""
    reason = version_problem(version, latest)
    if reason:
        return reason
    reason = weights_problem(weights, languages)
    return f"version {version}: {reason}" if reason else None


def _java(value):
    """A number as Java prints it, so both sides' messages read alike."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return "null" if value is None else str(value)


def normalise(weights, languages):
    """Weights over every language of the run, summing to 1; scaled by the largest first, so weights
    near the largest double (whose sum overflows) normalise too."""
    largest = max(weights.values())
    scaled = {lang: weights.get(lang, 0.0) / largest for lang in languages}
    total = sum(scaled.values())
    return {lang: w / total for lang, w in scaled.items()}


class Mixture:
    """The weights in force for one step."""

    __slots__ = ("version", "weights")

    def __init__(self, version, weights):
        self.version = version
        self.weights = weights

    def __repr__(self):
        return f"Mixture(version={self.version}, weights={self.weights})"


class MixtureSampler:
    """Draws a language per sequence from the weights in force. Version 0 is the run config's schedule (initial
    weights, then its ``phases`` (fromStep, weights) by step); ``offer`` (any thread) installs validated weights
    that take effect at the next ``begin_step``, after which the policy owns the mixture, as in the Java trainer.
    The training loop never waits for it."""

    def __init__(self, languages, initial_weights, seed=0, phases=()):
        self.languages = list(languages)
        self._phases = sorted(phases, key=lambda p: p[0])
        reason = weights_problem(initial_weights, set(self.languages))
        if reason:
            raise ValueError("initial mixture: " + reason)
        self._lock = threading.Lock()
        self._current = Mixture(0, normalise(initial_weights, self.languages))
        self._pending = None
        self._random = random.Random(seed)

    @property
    def version(self):
        with self._lock:
            return self._pending.version if self._pending else self._current.version

    def offer(self, version, weights):
        """Installs weights for the next step; returns why they were refused, or None."""
        with self._lock:
            in_force = self._pending.version if self._pending else self._current.version
            reason = problem(version, weights, set(self.languages), in_force)
            if reason is None:
                self._pending = Mixture(version, normalise(weights, self.languages))
            return reason

    def begin_step(self, step=0):
        """The mixture for step ``step``: a pending update takes effect here, else the schedule while at version 0."""
        with self._lock:
            if self._pending is not None:
                self._current, self._pending = self._pending, None
            elif self._current.version == 0:
                for from_step, weights in self._phases:
                    if from_step <= step:
                        self._current = Mixture(0, normalise(weights, self.languages))
            return self._current

    def draw(self, mixture, count):
        """``count`` language ids drawn from ``mixture``'s weights."""
        return self._random.choices(self.languages, weights=[mixture.weights[l] for l in self.languages], k=count)
