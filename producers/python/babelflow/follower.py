"""``MixtureFollower``: the trainer's side of the control loop, as the Java ``MixtureControl`` does it.

A background consumer reads, from the beginning, every MixtureUpdate of its run on the compacted control
topic (read_committed, since the reweighting app writes transactionally), validates each with the rule
of ``mixture.problem`` and offers valid ones to the ``MixtureSampler``, which applies them at the next
step boundary. Rejected updates are logged and counted; the weights in force stay. No consumer group:
every trainer process needs all of its run's updates. While the broker is away it keeps retrying.
"""
import logging
import threading
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

from . import topics
from .errors import DecodingError
from .serde import default_schemas

LOG = logging.getLogger("babelflow.mixture")


class MixtureFollower:
    def __init__(self, bootstrap_servers, run_id, sampler, on_applied=None, client_config=None, schemas=None):
        self.run_id = run_id
        self.sampler = sampler
        self.applied = 0
        self.rejected = 0
        self.stale = 0
        self.last_rejection = None
        self.last_applied_at = None  # (version, time.time()) of the latest update offered successfully
        self._on_applied = on_applied or (lambda update: None)
        self._schemas = schemas or default_schemas()
        self._caught_up = threading.Event()
        self._stop = threading.Event()
        config = {"bootstrap.servers": bootstrap_servers, "group.id": f"babelflow-mixture-{run_id}",
                  "enable.auto.commit": False, "isolation.level": "read_committed",
                  "client.id": f"babelflow-mixture-control-{run_id}", "error_cb": self._on_error,
                  "log_level": 2}
        config.update(client_config or {})
        self._consumer = Consumer(config)
        self._down_logged = False
        self._thread = threading.Thread(target=self._loop, name="babelflow-mixture-follower", daemon=True)
        self._thread.start()

    def _on_error(self, error):
        if error.code() == KafkaError._ALL_BROKERS_DOWN and not self._down_logged:
            self._down_logged = True
            LOG.warning("mixture control: broker does not answer; the weights in force stay, retrying")

    def _assign(self):
        """Assigns every partition of the control topic from the beginning; retries until the broker answers."""
        backoff = 0.5
        while not self._stop.is_set():
            try:
                metadata = self._consumer.list_topics(topics.MIXTURE_CONTROL, timeout=5)
                partitions = metadata.topics[topics.MIXTURE_CONTROL].partitions
                if partitions:
                    assigned = [TopicPartition(topics.MIXTURE_CONTROL, p, OFFSET_BEGINNING) for p in sorted(partitions)]
                    ends = {p.partition: self._consumer.get_watermark_offsets(p, timeout=5) for p in assigned}
                    self._consumer.assign(assigned)
                    return ends
            except Exception as e:  # broker away or topic not there yet
                LOG.debug("mixture control topic not reachable yet: %s", e)
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 5.0)
        return {}

    def _loop(self):
        try:
            ends = self._assign()
            while not self._stop.is_set():
                message = self._consumer.poll(0.1)
                if message is not None and message.error() is None:
                    self._handle(message)
                    self._down_logged = False
                if not self._caught_up.is_set() and self._reached(ends):
                    self._caught_up.set()
        except Exception:
            LOG.exception("mixture control stopped; the trainer keeps its current weights")
        finally:
            self._caught_up.set()
            self._consumer.close()

    def _reached(self, ends):
        for tp in self._consumer.position([TopicPartition(topics.MIXTURE_CONTROL, p) for p in ends]):
            low, high = ends[tp.partition]
            if high > low and tp.offset < high:  # an invalid (negative) position has not read anything yet
                return False
        return True

    def _handle(self, message):
        key = message.key()
        if key is None or key.decode("utf-8", "replace") != self.run_id or message.value() is None:
            return  # another run's update, or a tombstone
        try:
            _, update = self._schemas.decode(message.value(), expected="MixtureUpdate")
        except DecodingError as e:
            self._reject(f"offset {message.offset()}: {e}")
            return
        if update["version"] <= self.sampler.version and not self._caught_up.is_set():
            self.stale += 1  # an older version met while catching up
            return
        if update["runId"] != self.run_id:
            self._reject(f"record keyed {self.run_id} carries runId {update['runId']}")
            return
        reason = self.sampler.offer(update["version"], update["weights"])
        if reason:
            self._reject(reason)
            return
        self.applied += 1
        self.last_applied_at = (update["version"], time.time())
        LOG.info("mixture version %d from policy %s accepted: %s (%s)", update["version"], update["policy"],
                 update["weights"], update["reason"])
        self._on_applied(update)

    def _reject(self, reason):
        self.rejected += 1
        self.last_rejection = reason
        LOG.warning("mixture update rejected, weights in force kept: %s", reason)

    def wait_caught_up(self, timeout):
        """True once the updates present at start were read (a resumed run starts on its latest weights)."""
        return self._caught_up.wait(timeout)

    def close(self):
        self._stop.set()
        self._thread.join(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
