"""``Run``: a training run's telemetry to Kafka, lossless and never in the training step's way.

Events are encoded on the caller's thread (a record that does not match its schema raises at once) and
handed to an idempotent producer (``acks=all``) whose sends are asynchronous. When the broker is away
the producer's bounded queue fills or its records time out: records then go, in order, to a local
``Spool`` and every later record follows them there until a background sender has replayed the spool,
oldest first. A spool left by an earlier process is replayed before anything new. ``close()`` waits
up to its timeout for Kafka to acknowledge everything and spools the rest; a record whose delivery was
ambiguous may then arrive twice, which the per-(run, rank) sequence number lets consumers detect.
"""
import logging
import secrets
import threading
import time

from confluent_kafka import KafkaError, Producer

from . import topics
from .errors import ConfigError
from .serde import default_schemas
from .spool import Spool, read_segment

LOG = logging.getLogger("babelflow.run")


def now_millis():
    return int(time.time() * 1000)


def new_run_id(name):
    return f"{name}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.randbelow(0x10000):04x}"


def producer_config(bootstrap_servers, overrides=None):
    """Producer settings as the Java sink's: idempotent, every replica acknowledges, zstd, linger."""
    config = {
        "bootstrap.servers": bootstrap_servers,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 20,
        "compression.type": "zstd",
        "message.max.bytes": topics.ACTIVATION_MAX_MESSAGE_BYTES + 1024,
        "queue.buffering.max.kbytes": 64 * 1024,
        "message.timeout.ms": 30_000,
        "client.id": "babelflow-telemetry-python",
        "log_level": 2,  # librdkafka repeats every failed connect; error_cb reports a broker away once
    }
    config.update(overrides or {})
    return config


class Run:
    """Publishes one (run, rank)'s events: RunStarted, TrainStep, ActivationStats, WorkingLanguage,
    EvalResult, RunEnded, each stamped with runId, rank and the next sequence number."""

    def __init__(self, bootstrap_servers, spool_dir, run_id=None, name="python", rank=0, world_size=1,
                 first_sequence=0, client_config=None, schemas=None, close_timeout=10.0):
        if not isinstance(bootstrap_servers, str) or ":" not in bootstrap_servers:
            raise ConfigError(f"bootstrap servers {bootstrap_servers!r} are not host:port[,host:port...]")
        if not 0 <= rank < world_size:
            raise ConfigError(f"rank {rank} is outside world size {world_size}")
        self.run_id = run_id or new_run_id(name)
        self.rank = rank
        self.world_size = world_size
        self.bootstrap_servers = bootstrap_servers
        self._schemas = schemas or default_schemas()
        self._sequence = first_sequence
        self._close_timeout = close_timeout
        self._lock = threading.Lock()
        self._spool = Spool(spool_dir)
        self._spooling = not self._spool.is_empty()  # leftovers go first; new records queue behind them
        if self._spooling:
            LOG.info("replaying %d telemetry records left in %s", self._spool.records, spool_dir)
        self.sent = 0
        self.spooled = 0
        self.failed = 0
        self._broker_down_logged = False
        try:
            self._producer = Producer(producer_config(bootstrap_servers, client_config) | {"error_cb": self._on_error})
        except Exception as e:  # KafkaException for a bad setting
            raise ConfigError(f"cannot create a Kafka producer: {e}") from None
        self._closing = threading.Event()
        self._sender = threading.Thread(target=self._send_loop, name="babelflow-telemetry-sender", daemon=True)
        self._sender.start()

    # ---- events -------------------------------------------------------------------------------------

    def run_started(self, languages, model, config="", feedback_policy=None, policy_params=None, start_step=0):
        """``languages``: dicts {id, role, initialWeight}; ``model``: {layers, dModel, heads, ffnWidth,
        contextLength, vocabSize}; ``config``: the resolved run configuration as text."""
        self.emit("RunStarted", {"worldSize": self.world_size, "startedAt": now_millis(), "startStep": start_step,
                                 "config": config, "languages": list(languages), "model": dict(model),
                                 "feedbackPolicy": feedback_policy, "policyParams": dict(policy_params or {})})

    def train_step(self, step, loss, language_loss, language_tokens, tokens, learning_rate, mixture):
        self.emit("TrainStep", {"worldSize": self.world_size, "step": step, "timestamp": now_millis(),
                                "tokens": int(tokens), "learningRate": float(learning_rate), "loss": float(loss),
                                "languageLoss": {k: float(v) for k, v in language_loss.items()},
                                "languageTokens": {k: int(v) for k, v in language_tokens.items()},
                                "mixtureVersion": mixture.version, "mixtureWeights": dict(mixture.weights)})

    def activation_stats(self, window):
        """One ActivationStats per layer of a drained ``watch_ffn`` window (``FfnWatcher.drain``)."""
        for layer in window.layers_stats:
            self.emit("ActivationStats", {"worldSize": self.world_size, "source": window.source,
                                          "windowStart": window.start, "windowEnd": window.end, **layer})

    def eval_result(self, step, language_loss, language_tokens):
        self.emit("EvalResult", {"step": step, "timestamp": now_millis(),
                                 "languageLoss": {k: float(v) for k, v in language_loss.items()},
                                 "languageTokens": {k: int(v) for k, v in language_tokens.items()}})

    def working_language(self, step, readings_by_layer):
        """``readings_by_layer[layer]``: dicts {probeLanguage, prompts, answerMass}."""
        stamp = now_millis()
        for layer, readings in enumerate(readings_by_layer):
            self.emit("WorkingLanguage", {"step": step, "timestamp": stamp, "layer": layer,
                                          "layers": len(readings_by_layer), "readings": list(readings)})

    def run_ended(self, last_step, reason="completed", message=None):
        self.emit("RunEnded", {"endedAt": now_millis(), "lastStep": last_step, "reason": reason, "message": message})

    @property
    def next_sequence(self):
        return self._sequence

    def emit(self, name, fields):
        """Stamps runId, rank and sequence, encodes (raising SchemaError on a mismatch) and sends or spools."""
        if name not in topics.TOPIC_OF:
            raise ValueError(f"{name} is not a telemetry event ({', '.join(topics.TOPIC_OF)})")
        with self._lock:
            if self._closing.is_set():
                raise RuntimeError("run telemetry is closed")
            record = {"runId": self.run_id, "rank": self.rank, "sequence": self._sequence, **fields}
            value = self._schemas.encode(name, record)
            self._sequence += 1
            topic, key = topics.TOPIC_OF[name], topics.key_of(name, record).encode("utf-8")
            if not self._spooling:
                try:
                    self._producer.produce(topic, value, key, on_delivery=self._on_live_delivery)
                    return
                except BufferError:
                    LOG.warning("telemetry queue full: spooling to %s until Kafka catches up", self._spool.dir)
                    self._spooling = True
            self._spool.append(topic, key, value)
            self.spooled += 1

    # ---- delivery -----------------------------------------------------------------------------------

    def _on_error(self, error):
        if error.code() == KafkaError._ALL_BROKERS_DOWN and not self._broker_down_logged:
            self._broker_down_logged = True
            LOG.warning("broker %s does not answer; telemetry waits, then goes to the spool %s",
                        self.bootstrap_servers, self._spool.dir)

    def _on_live_delivery(self, error, message):
        if error is None:
            self.sent += 1
            self._broker_down_logged = False
            return
        if error.code() == KafkaError.MSG_SIZE_TOO_LARGE or (not error.retriable() and error.code() not in (
                KafkaError._MSG_TIMED_OUT, KafkaError._PURGE_QUEUE, KafkaError._PURGE_INFLIGHT, KafkaError._TIMED_OUT)):
            self.failed += 1
            LOG.error("Kafka refused a %s record for good (%s); it is kept in %s", message.topic(), error,
                      self._spool.dir / "rejected")
            _keep_rejected(self._spool.dir, message)
            return
        with self._lock:  # undelivered in time: to the spool, and everything after it follows
            self._spooling = True
            self._spool.append(message.topic(), message.key(), message.value())
            self.spooled += 1

    def _send_loop(self):
        while True:
            self._producer.poll(0.1)
            if self._closing.is_set():
                return
            if self._spooling and len(self._producer) == 0:
                try:
                    self._replay_one_segment()
                except Exception:
                    LOG.exception("spool replay failed; retrying")
                    time.sleep(1)

    def _replay_one_segment(self):
        with self._lock:
            if self._spool.is_empty():
                self._spooling = False
                LOG.info("telemetry spool replayed; back to direct sending")
                return
            self._spool.rotate()
        segments = self._spool.closed_segments()
        if not segments:
            return
        segment = segments[0]
        records = read_segment(segment)
        delivered = [False] * len(records)

        def done(i):
            def callback(error, _message):
                delivered[i] = error is None
            return callback

        for i, (topic, key, value) in enumerate(records):
            while not self._closing.is_set():
                try:
                    self._producer.produce(topic, value, key, on_delivery=done(i))
                    break
                except BufferError:
                    self._producer.poll(0.1)
        while len(self._producer) > 0 and not self._closing.is_set():
            self._producer.poll(0.1)  # every record ends delivered or failed within message.timeout.ms
        remaining = [r for r, ok in zip(records, delivered) if not ok]
        self.sent += len(records) - len(remaining)
        self._spool.replace(segment, remaining, len(records) - len(remaining))
        if remaining:
            time.sleep(1)  # the broker is still away: try again later

    def wait_connected(self, timeout=10.0):
        """True when the broker answers within ``timeout`` seconds (the run works either way: records wait)."""
        try:
            self._producer.list_topics(timeout=timeout)
            return True
        except Exception:
            return False

    def flush(self, timeout=10.0):
        """Waits up to ``timeout`` for what was sent and the spool to reach Kafka; True when nothing waits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self._producer) == 0 and self._spool.is_empty():
                return True
            time.sleep(0.05)
        return False

    def close(self, timeout=None):
        """Delivers what it can within ``timeout`` (default close_timeout); the rest stays in the spool."""
        timeout = self._close_timeout if timeout is None else timeout
        self.flush(timeout)
        with self._lock:
            self._closing.set()
        self._sender.join()
        if len(self._producer) > 0:
            self._producer.purge()  # undelivered records come back through their callbacks and are spooled
            self._producer.flush(1.0)
        self._spool.close()
        if self._spool.records:
            LOG.warning("%d telemetry records wait in %s for the next start", self._spool.records, self._spool.dir)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def spooled_records(self):
        return self._spool.records


def _keep_rejected(directory, message):
    """A record Kafka refused for good (e.g. larger than the topic allows), kept beside the spool."""
    rejected = Spool(directory / "rejected")
    rejected.append(message.topic(), message.key(), message.value())
    rejected.close()
