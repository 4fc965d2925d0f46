"""The Python half of the cross-language contract test (``ops/.../python/PythonContractTest``).

    /usr/bin/python3 tests/contract.py DIR

Decodes every ``DIR/java/<Event>.bin`` the Java serde wrote, writes its fields as ``DIR/python/<Event>.json``
(bytes as hex) and re-encodes them as ``DIR/python/<Event>.bin``; then publishes one of each telemetry event
through ``Run`` with known values to a broker that does not answer, so they land in ``DIR/python/spool``.
"""
import json
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from babelflow import Run, default_schemas  # noqa: E402
from babelflow.hooks import StatsWindow, _pack  # noqa: E402
from babelflow.mixture import Mixture  # noqa: E402


def jsonable(value):
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def run_events(spool):
    import torch
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = Run(f"127.0.0.1:{port}", spool, run_id="contract-run", rank=1, world_size=2, close_timeout=0.5)
    run.run_started([{"id": "python", "role": "PRIMARY", "initialWeight": 0.75},
                     {"id": "go", "role": "NEW", "initialWeight": 0.25}],
                    {"layers": 2, "dModel": 8, "heads": 2, "ffnWidth": 3, "contextLength": 16, "vocabSize": 256},
                    "run: {name: contract}\n", "schedule", {"every": "5"}, start_step=0)
    run.train_step(7, 2.5, {"python": 2.0, "go": 3.0}, {"python": 96, "go": 32}, 128, 0.001,
                   Mixture(4, {"python": 0.75, "go": 0.25}))
    counts = torch.tensor([[1.0, 0.0, 2.0], [0.0, 16777216.0, 3.0]])
    layer = {"layers": 2, "neurons": 3, "languages": ["python", "go"], "tokens": [96, 32],
             "activeCounts": _pack(counts), "activationSums": _pack(counts * 0.5)}
    run.activation_stats(StatsWindow("TRAIN", 0, 9, [dict(layer, layer=0), dict(layer, layer=1)]))
    run.working_language(9, [[{"probeLanguage": "go", "prompts": 4, "answerMass": {"go": 0.25, "python": 0.5}}]])
    run.eval_result(9, {"python": 2.25}, {"python": 512})
    run.run_ended(9, "interrupted", "stopped at a step boundary")
    run.close()


def main(directory):
    directory = Path(directory)
    out = directory / "python"
    out.mkdir(parents=True, exist_ok=True)
    schemas = default_schemas()
    for file in sorted((directory / "java").glob("*.bin")):
        name, fields = schemas.decode(file.read_bytes())
        (out / f"{name}.json").write_text(json.dumps(jsonable(fields)))
        (out / f"{name}.bin").write_bytes(schemas.encode(name, fields))
    run_events(out / "spool")


if __name__ == "__main__":
    main(sys.argv[1])
