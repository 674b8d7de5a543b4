"""Progress output: plain log lines for people and MCONV-EVENT lines for mconv.

Each event is one line, `MCONV-EVENT ` followed by compact JSON with at least
the key "event". mconv parses these lines from the Job's log, so the prefix and
the keys already in use must stay stable.
"""

import json
import sys
import time
from typing import IO, Any, Iterator
from contextlib import contextmanager

EVENT_PREFIX = "MCONV-EVENT "
STAGES = (
    "waiting-input",
    "verifying",
    "exporting",
    "checking",
    "building",
    "validating",
    "benchmarking",
    "writing",
    "waiting-download",
    "done",
)


class Progress:
    """Writes log lines and events to one text stream, flushing each line."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self.timings: dict[str, float] = {}

    def log(self, message: str) -> None:
        self._write(f"mconv-converter: {message}")

    def event(self, name: str, **fields: Any) -> None:
        payload = json.dumps({"event": name, **fields}, separators=(",", ":"), sort_keys=True)
        self._write(EVENT_PREFIX + payload)

    def error(self, code: str, message: str, exit_code: int) -> None:
        self._write(f"mconv-converter: error: {message}")
        self.event("error", code=code, message=message, exitCode=exit_code)

    @contextmanager
    def stage(self, name: str, detail: str = "") -> Iterator[None]:
        """Announce a stage and record its wall time in `timings` (seconds)."""
        if name not in STAGES:
            raise ValueError(f"unknown stage {name!r}")
        self.event("stage", stage=name)
        if detail:
            self.log(detail)
        start = time.monotonic()
        try:
            yield
        finally:
            self.timings[name] = round(time.monotonic() - start, 3)

    def _write(self, line: str) -> None:
        # One write call per line, so lines from other writers never interleave.
        self._stream.write(line + "\n")
        self._stream.flush()
