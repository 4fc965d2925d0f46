"""``pip install --no-build-isolation producers/python``: the ``babelflow`` package with the project's Avro
schemas copied in (from ``schemas/src/main``, the one source of the event contracts). Its dependencies come
from Debian: ``apt-get install python3-confluent-kafka python3-avro python3-yaml`` (and python3-torch for
``watch_ffn``)."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "src" / "main"


class BuildWithSchemas(build_py):
    def run(self):
        super().run()
        for name, source in (("avro", SCHEMAS / "avro"),
                             ("released", SCHEMAS / "resources" / "io" / "babelflow" / "schemas" / "released")):
            target = Path(self.build_lib) / "babelflow" / "schemas" / name
            target.mkdir(parents=True, exist_ok=True)
            for schema in source.glob("*.avsc"):
                shutil.copy(schema, target / schema.name)


setup(name="babelflow", version="0.1.0", description="BabelFlow client for PyTorch trainers",
      packages=["babelflow"], python_requires=">=3.9", cmdclass={"build_py": BuildWithSchemas})
