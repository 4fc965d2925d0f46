import struct
import unittest
from pathlib import Path

from babelflow.errors import DecodingError, SchemaError
from babelflow.serde import EVENT_TYPES, Schemas, canonical_form, crc64_avro, default_schemas, fingerprint

import json

RELEASED = Path(__file__).resolve().parents[3] / "schemas/src/main/resources/io/babelflow/schemas/released"

# SchemaNormalization.parsingFingerprint64 of the released v1 schemas, computed by Avro 1.12 (Java)
JAVA_V1_FINGERPRINTS = {
    "RunStarted": 0x5387C91783663A78, "TrainStep": 0x9CCAF2A6034E95D7, "ActivationStats": 0xA12C59A15F56E363,
    "WorkingLanguage": 0x9632035A1C3ACA4F, "MixtureUpdate": 0x30B35A91848AFA71, "StageChange": 0x1F3BC064E225BBA9,
}


def sample(name):
    return {
        "RunStarted": {"runId": "r", "rank": 1, "worldSize": 2, "sequence": 0, "startedAt": 1700000000123,
                       "startStep": 0, "config": "run: {}", "languages": [{"id": "python", "role": "PRIMARY",
                       "initialWeight": 1.0}], "model": {"layers": 2, "dModel": 8, "heads": 2, "ffnWidth": 16,
                       "contextLength": 8, "vocabSize": 256}, "feedbackPolicy": None, "policyParams": {}},
        "RunEnded": {"runId": "r", "rank": 0, "sequence": 9, "endedAt": 5, "lastStep": 3, "reason": "completed",
                     "message": "ok"},
    }[name]


class CanonicalFormTest(unittest.TestCase):
    def test_parsing_canonical_form_as_the_avro_specification_writes_it(self):
        self.assertEqual('"long"', canonical_form({"type": "long", "logicalType": "timestamp-millis"}))
        self.assertEqual('{"name":"x.Foo","type":"fixed","size":16}',
                         canonical_form({"type": "fixed", "size": 16, "namespace": "x", "name": "Foo", "doc": "d"}))
        self.assertEqual('{"name":"a.R","type":"record","fields":[{"name":"e","type":{"name":"a.E","type":"enum",'
                         '"symbols":["X"]}},{"name":"f","type":"a.E"}]}',
                         canonical_form({"type": "record", "name": "a.R", "fields": [
                             {"name": "e", "type": "E", "default": "X"}, {"name": "f", "type": "a.E"}]},
                             {"a.E": {"type": "enum", "name": "E", "namespace": "a", "symbols": ["X"]}}))

    def test_fingerprints_equal_javas(self):
        for name, expected in JAVA_V1_FINGERPRINTS.items():
            released = json.loads((RELEASED / f"{name}.v1.avsc").read_text())
            self.assertEqual(expected, fingerprint(released), name)

    def test_crc64_avro_of_the_empty_string_is_its_seed(self):
        self.assertEqual(0xC15D213AA4D7A795, crc64_avro(b""))


class SerdeTest(unittest.TestCase):
    schemas = default_schemas()

    def test_header_is_the_marker_then_the_little_endian_fingerprint(self):
        data = self.schemas.encode("RunEnded", sample("RunEnded"))
        self.assertEqual(b"\xc3\x01", data[:2])
        self.assertEqual(self.schemas.fingerprint("RunEnded"), struct.unpack("<Q", data[2:10])[0])

    def test_round_trip(self):
        for name in ("RunStarted", "RunEnded"):
            self.assertEqual((name, sample(name)), self.schemas.decode(self.schemas.encode(name, sample(name))))

    def test_every_event_type_has_a_schema(self):
        self.assertEqual(9, len({self.schemas.fingerprint(n) for n in EVENT_TYPES}))

    def test_bad_bytes_are_named(self):
        with self.assertRaisesRegex(DecodingError, "shorter than the 10-byte header"):
            self.schemas.decode(b"\xc3\x01\x00")
        with self.assertRaisesRegex(DecodingError, "expected C3 01, found 00 01"):
            self.schemas.decode(b"\x00\x01" + bytes(10))
        with self.assertRaisesRegex(DecodingError, "unknown schema fingerprint 0x0000000000000001"):
            self.schemas.decode(b"\xc3\x01" + struct.pack("<Q", 1) + b"\x00")
        good = self.schemas.encode("RunEnded", sample("RunEnded"))
        with self.assertRaisesRegex(DecodingError, "expected MixtureUpdate, found RunEnded"):
            self.schemas.decode(good, expected="MixtureUpdate")
        with self.assertRaisesRegex(DecodingError, "malformed RunEnded body"):
            self.schemas.decode(good[:12])

    def test_a_record_that_does_not_match_its_schema_is_named(self):
        record = dict(sample("RunEnded"), lastStep="three")
        with self.assertRaisesRegex(SchemaError, "RunEnded does not match its schema"):
            self.schemas.encode("RunEnded", record)
        with self.assertRaisesRegex(SchemaError, "unknown event type 'Nope'"):
            self.schemas.encode("Nope", {})

    def test_a_missing_schema_folder_is_named(self):
        with self.assertRaisesRegex(SchemaError, "schema folder /nonexistent not found"):
            Schemas("/nonexistent")
