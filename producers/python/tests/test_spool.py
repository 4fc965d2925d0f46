import tempfile
import unittest
from pathlib import Path

from babelflow.spool import Spool, read_segment


class SpoolTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())

    def test_keeps_records_in_order_across_segments_and_restarts(self):
        spool = Spool(self.dir)
        spool.append("t", b"k1", b"v1")
        spool.rotate()
        spool.append("t", b"k2", b"\x00" * 3)
        spool.close()
        again = Spool(self.dir)
        self.assertEqual(2, again.records)
        segments = again.closed_segments()
        self.assertEqual([[("t", b"k1", b"v1")], [("t", b"k2", b"\x00\x00\x00")]], [read_segment(s) for s in segments])

    def test_a_tail_cut_short_by_a_crash_is_dropped(self):
        spool = Spool(self.dir)
        spool.append("topic", b"key", b"value")
        spool.append("topic", b"key", b"second")
        spool.close()
        segment = spool.closed_segments()[0]
        segment.write_bytes(segment.read_bytes()[:-3])
        self.assertEqual([("topic", b"key", b"value")], read_segment(segment))

    def test_a_partly_replayed_segment_keeps_the_rest(self):
        spool = Spool(self.dir)
        for i in range(3):
            spool.append("t", b"k", bytes([i]))
        spool.rotate()
        segment = spool.closed_segments()[0]
        spool.replace(segment, [("t", b"k", b"\x02")], replayed=2)
        self.assertEqual(1, spool.records)
        self.assertEqual([("t", b"k", b"\x02")], read_segment(segment))
        spool.replace(segment, [], replayed=1)
        self.assertTrue(spool.is_empty())
        self.assertEqual([], spool.closed_segments())
