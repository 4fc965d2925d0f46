"""A local, ordered store of records that could not reach Kafka yet.

A folder of numbered segments ``spool-NNNNNNNNNNNN.bin``; each holds records already encoded for
Kafka, framed as ``<u32 topic length><u32 key length><u32 value length>`` followed by the three byte
strings. Records are appended to the open segment and flushed to the OS at once, so a crash of the
trainer keeps them; a tail cut short by a crash is dropped on reading. The sender rotates the open
segment and replays closed segments oldest first, removing each only when Kafka acknowledged all of it.
"""
import os
import struct
import threading
from pathlib import Path

_HEADER = struct.Struct("<III")
PREFIX = "spool-"
SUFFIX = ".bin"
FIRST = 1_000_000_000  # numbering starts high so a segment can be written in front of the first one


def read_segment(path):
    """The (topic, key, value) records of a segment, in order."""
    data = Path(path).read_bytes()
    records, pos = [], 0
    while pos + _HEADER.size <= len(data):
        t, k, v = _HEADER.unpack_from(data, pos)
        end = pos + _HEADER.size + t + k + v
        if end > len(data):
            break  # cut short by a crash
        start = pos + _HEADER.size
        records.append((data[start:start + t].decode("utf-8"), data[start + t:start + t + k], data[start + t + k:end]))
        pos = end
    return records


class Spool:
    def __init__(self, directory):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._file = None
        self._current = None
        existing = self.closed_segments()
        self._next = self._number(existing[-1]) + 1 if existing else FIRST
        self._records = sum(len(read_segment(p)) for p in existing)

    def append(self, topic, key, value):
        with self._lock:
            if self._file is None:
                self._current = self._path(self._next)
                self._next += 1
                self._file = open(self._current, "ab")
            t = topic.encode("utf-8")
            self._file.write(_HEADER.pack(len(t), len(key), len(value)) + t + key + value)
            self._file.flush()
            self._records += 1

    def rotate(self):
        """Closes the open segment so it can be replayed; later records start a new one."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
                self._current = None

    def closed_segments(self):
        with self._lock:
            return sorted(p for p in self.dir.glob(PREFIX + "*" + SUFFIX) if p != self._current)

    def replace(self, segment, remaining, replayed):
        """After a partial replay: keeps only the ``remaining`` records of ``segment`` (none: removes it)."""
        with self._lock:
            if remaining:
                tmp = segment.with_suffix(".tmp")
                with open(tmp, "wb") as f:
                    for topic, key, value in remaining:
                        t = topic.encode("utf-8")
                        f.write(_HEADER.pack(len(t), len(key), len(value)) + t + key + value)
                os.replace(tmp, segment)
            else:
                segment.unlink(missing_ok=True)
            self._records -= replayed

    @property
    def records(self):
        """Records waiting in the spool."""
        with self._lock:
            return self._records

    def is_empty(self):
        return self.records == 0

    def close(self):
        self.rotate()

    def _path(self, number):
        return self.dir / f"{PREFIX}{number:012d}{SUFFIX}"

    @staticmethod
    def _number(path):
        return int(path.name[len(PREFIX):-len(SUFFIX)])
