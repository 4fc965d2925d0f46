"""Read key = value settings, with comments and defaults."""

import os


class Settings(dict):
    def get_int(self, key, default=0):
        try:
            return int(self.get(key, default))
        except ValueError:
            raise ValueError(f"setting {key!r} is not a number: {self[key]!r}") from None

    def get_bool(self, key, default=False):
        value = str(self.get(key, default)).strip().lower()
        return value in ("1", "true", "yes", "on")


def parse(lines):
    settings = Settings()
    for number, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            raise SyntaxError(f"line {number}: expected key = value")
        key, value = (part.strip() for part in line.split("=", 1))
        settings[key] = os.path.expandvars(value)
    return settings
