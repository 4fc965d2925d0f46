"""Avro single-object encoding of BabelFlow events, byte-compatible with the Java ``AvroSerde``.

A value is ``C3 01``, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema's
Parsing Canonical Form, then the Avro binary body. The schemas are the project's own
``schemas/src/main/avro/*.avsc`` (named types defined in one file and referenced by name from
another). Fingerprints are computed here on the Parsing Canonical Form as the Avro specification
(and Java's ``SchemaNormalization``) defines it: python-avro's canonical form keeps logical types,
so its fingerprints would differ from Java's for every schema with a timestamp.
"""
import io
import json
import os
import struct
from pathlib import Path

import avro.io
import avro.schema

from .errors import DecodingError, SchemaError

MARKER = b"\xc3\x01"
EVENT_TYPES = ("RunStarted", "TrainStep", "ActivationStats", "WorkingLanguage", "EvalResult", "RunEnded",
               "NeuronSpecialization", "StageChange", "MixtureUpdate")
NAMESPACE = "io.babelflow.events"
PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}

_EMPTY64 = 0xC15D213AA4D7A795
_TABLE = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_EMPTY64 & -(_fp & 1))
    _TABLE.append(_fp)


def crc64_avro(data: bytes) -> int:
    """The Rabin fingerprint the Avro specification calls CRC-64-AVRO."""
    fp = _EMPTY64
    for b in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ b) & 0xFF]
    return fp


def _fullname(name, namespace):
    return name if "." in name or not namespace else namespace + "." + name


def _resolve(schema, named, namespace, seen, canonical):
    """Inlines every named type at its first use (a later use is its full name). With ``canonical`` the
    result is the Parsing Canonical Form's structure (attributes stripped, logical types dropped);
    without, a self-contained schema for python-avro, logical types dropped so timestamps stay ints."""
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema
        full = _fullname(schema, namespace)
        if full in seen:
            return full
        if full not in named:
            raise SchemaError("schema refers to unknown type " + full)
        return _resolve(named[full], named, namespace, seen, canonical)
    if isinstance(schema, list):
        return [_resolve(s, named, namespace, seen, canonical) for s in schema]
    kind = schema["type"]
    if kind in PRIMITIVES:
        return kind  # {"type": "long", "logicalType": ...} -> "long", as Java's canonical form does
    if kind == "array":
        return {"type": "array", "items": _resolve(schema["items"], named, namespace, seen, canonical)}
    if kind == "map":
        return {"type": "map", "values": _resolve(schema["values"], named, namespace, seen, canonical)}
    if kind not in ("record", "error", "enum", "fixed"):
        return _resolve(kind, named, namespace, seen, canonical)  # {"type": "SomeName"}
    full = _fullname(schema["name"], schema.get("namespace", namespace))
    if full in seen:
        return full
    seen.add(full)
    inner = full.rpartition(".")[0]
    out = {"name": full, "type": kind}
    if kind == "enum":
        out["symbols"] = list(schema["symbols"])
    elif kind == "fixed":
        out["size"] = schema["size"]
    else:
        out["fields"] = []
        for f in schema["fields"]:
            field = {"name": f["name"], "type": _resolve(f["type"], named, inner, seen, canonical)}
            if not canonical and "default" in f:
                field["default"] = f["default"]
            out["fields"].append(field)
    return out


def canonical_form(schema, named=None) -> str:
    """Parsing Canonical Form of a schema given as parsed JSON, named types looked up in ``named``."""
    return json.dumps(_resolve(schema, named or {}, None, set(), True), separators=(",", ":"), ensure_ascii=False)


def fingerprint(schema, named=None) -> int:
    return crc64_avro(canonical_form(schema, named).encode("utf-8"))


def _default_dir(*parts):
    here = Path(__file__).resolve().parent
    packaged = here / "schemas" / parts[-1]
    return packaged if packaged.is_dir() else here.parents[2].joinpath("schemas", "src", "main", *parts)


class Schemas:
    """The event schemas: current ones for writing and reading, released ones for reading old records."""

    def __init__(self, avro_dir=None, released_dir=None):
        avro_dir = Path(avro_dir or os.environ.get("BABELFLOW_SCHEMAS") or _default_dir("avro"))
        released_dir = Path(released_dir or _default_dir("resources", "io", "babelflow", "schemas", "released"))
        if not avro_dir.is_dir():
            raise SchemaError(f"schema folder {avro_dir} not found; set BABELFLOW_SCHEMAS to schemas/src/main/avro")
        named = {}
        for file in sorted(avro_dir.glob("*.avsc")):
            parsed = json.loads(file.read_text(encoding="utf-8"))
            named[_fullname(parsed["name"], parsed.get("namespace"))] = parsed
        self._named = named
        self._writers = {}    # name -> (fingerprint, parsed python-avro schema)
        self._readers = {}    # fingerprint -> (name, writer schema)
        for name in EVENT_TYPES:
            full = NAMESPACE + "." + name
            if full not in named:
                raise SchemaError(f"{avro_dir} has no schema for {full}")
            parsed = avro.schema.parse(json.dumps(_resolve(named[full], named, None, set(), False)))
            fp = fingerprint(named[full], named)
            self._writers[name] = (fp, parsed)
            self._readers[fp] = (name, parsed)
        if released_dir.is_dir():
            for file in sorted(released_dir.glob("*.v*.avsc")):
                name = file.name.split(".")[0]
                if name not in self._writers:
                    continue
                old = json.loads(file.read_text(encoding="utf-8"))
                fp = fingerprint(old, {})
                if fp not in self._readers:
                    self._readers[fp] = (name, avro.schema.parse(json.dumps(_resolve(old, {}, None, set(), False))))

    def fingerprint(self, name) -> int:
        return self._writers[name][0]

    def encode(self, name, record: dict) -> bytes:
        """Single-object encoding of ``record`` (a dict of the event's fields) as event type ``name``."""
        if name not in self._writers:
            raise SchemaError(f"unknown event type {name!r}; known: {', '.join(EVENT_TYPES)}")
        fp, schema = self._writers[name]
        buffer = io.BytesIO()
        buffer.write(MARKER)
        buffer.write(struct.pack("<Q", fp))
        try:
            avro.io.DatumWriter(schema).write(record, avro.io.BinaryEncoder(buffer))
        except avro.errors.AvroTypeException as e:
            raise SchemaError(f"{name} does not match its schema: {_short(e)}") from None
        return buffer.getvalue()

    def decode(self, data: bytes, expected=None):
        """Returns (event type name, dict of fields); ``expected`` checks the type."""
        if data is None or len(data) < 10:
            raise DecodingError(f"{0 if data is None else len(data)} bytes, shorter than the 10-byte header")
        if data[:2] != MARKER:
            raise DecodingError(f"no Avro single-object marker (expected C3 01, found {data[0]:02X} {data[1]:02X})")
        fp = struct.unpack("<Q", data[2:10])[0]
        if fp not in self._readers:
            raise DecodingError(f"unknown schema fingerprint 0x{fp:016x}")
        name, writer = self._readers[fp]
        if expected is not None and name != expected:
            raise DecodingError(f"expected {expected}, found {name}")
        reader = avro.io.DatumReader(writer, self._writers[name][1])
        try:
            return name, reader.read(avro.io.BinaryDecoder(io.BytesIO(data[10:])))
        except Exception as e:  # python-avro raises assorted types on a malformed body
            raise DecodingError(f"malformed {name} body ({e})") from None


def _short(error):
    text = str(error)
    return text if len(text) < 300 else text[:300] + "..."


_DEFAULT = None


def default_schemas() -> Schemas:
    """The schemas of this checkout (or of the installed package), loaded once."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Schemas()
    return _DEFAULT
