import logging
import socket
import tempfile
import unittest
from pathlib import Path

from babelflow import ConfigError, Run, SchemaError
from babelflow.mixture import Mixture
from babelflow.serde import default_schemas
from babelflow.spool import read_segment


def closed_port():
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunWithoutBrokerTest(unittest.TestCase):
    """A broker address that does not answer: nothing raises in the training loop, nothing is lost."""

    def test_every_event_is_spooled_in_order_with_its_sequence_number(self):
        spool = Path(tempfile.mkdtemp()) / "spool"
        with self.assertLogs("babelflow.run", logging.WARNING) as logs:
            run = Run(f"127.0.0.1:{closed_port()}", spool, run_id="r1", rank=1, world_size=2, close_timeout=1.0)
            self.assertFalse(run.wait_connected(timeout=0.5))
            run.run_started([{"id": "python", "role": "PRIMARY", "initialWeight": 1.0}],
                            {"layers": 1, "dModel": 8, "heads": 1, "ffnWidth": 8, "contextLength": 4, "vocabSize": 256})
            for step in range(3):
                run.train_step(step, 2.0, {"python": 2.0}, {"python": 8}, 8, 1e-3, Mixture(0, {"python": 1.0}))
            run.run_ended(2)
            run.close()
        self.assertTrue(any("wait in" in line for line in logs.output), logs.output)
        records = [r for segment in sorted(spool.glob("spool-*.bin")) for r in read_segment(segment)]
        decoded = [default_schemas().decode(value) for _, _, value in records]
        self.assertEqual(["RunStarted", "TrainStep", "TrainStep", "TrainStep", "RunEnded"], [n for n, _ in decoded])
        self.assertEqual(list(range(5)), sorted(e["sequence"] for _, e in decoded))
        self.assertEqual({("r1", 1)}, {(e["runId"], e["rank"]) for _, e in decoded})
        self.assertEqual({b"r1"}, {key for _, key, _ in records})
        self.assertEqual([0, 1, 2], sorted(e["step"] for n, e in decoded if n == "TrainStep"))

    def test_bad_settings_and_records_raise_errors_that_name_the_problem(self):
        spool = Path(tempfile.mkdtemp())
        with self.assertRaisesRegex(ConfigError, "not host:port"):
            Run("localhost", spool)
        with self.assertRaisesRegex(ConfigError, "rank 2 is outside world size 2"):
            Run("127.0.0.1:9", spool, rank=2, world_size=2)
        run = Run(f"127.0.0.1:{closed_port()}", spool, close_timeout=0.2)
        try:
            with self.assertRaisesRegex(SchemaError, "TrainStep does not match its schema"):
                run.emit("TrainStep", {"step": 0})  # every other field missing
            self.assertEqual(0, run.next_sequence, "a refused record takes no sequence number")
        finally:
            run.close()
