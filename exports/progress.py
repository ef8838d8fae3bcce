"""A one-line terminal progress bar for the management commands (silent when not on a terminal)."""

import sys
import time


class ProgressBar:
    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.width = width
        self._last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done != total:
            return
        self._last = now
        if total:
            filled = self.width * done // total
            bar = "#" * filled + "-" * (self.width - filled)
            line = f"\r{phase:<10} [{bar}] {done}/{total}"
        else:
            line = f"\r{phase:<10} {done} rows"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
