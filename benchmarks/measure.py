"""Timing one command in a fresh subprocess: wall clock and peak resident memory.

Peak RSS is ``ru_maxrss`` from ``os.wait4`` on that one child: Linux reports the largest
resident set of the child or of any descendant it waited for (the maximum of single
processes, not their sum; a process pool's workers are counted one at a time).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One timed run."""

    seconds: float
    peak_mb: float
    stdout: str = ""


class CommandFailed(RuntimeError):
    """A benchmarked command exited with an error."""


def timed(cmd: Sequence[str | Path], cwd: Path | None = None,
          env: dict[str, str] | None = None) -> Sample:
    """Run ``cmd`` once in a new process; its wall-clock time and peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        shown = " ".join(str(c) for c in cmd)
        raise CommandFailed(f"{shown} exited with {proc.returncode}:\n{stderr[-3000:]}")
    return Sample(seconds, usage.ru_maxrss / 1024, stdout)


@dataclass(frozen=True)
class Stats:
    """Median, min and max of several runs."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        return cls(statistics.median(values), min(values), max(values), len(values))

    def show(self, unit: str = "s", digits: int = 2) -> str:
        return (f"{self.median:.{digits}f} {unit} "
                f"(min {self.low:.{digits}f}, max {self.high:.{digits}f}, n={self.runs})")

    def as_dict(self) -> dict[str, float]:
        return {"median": self.median, "min": self.low, "max": self.high, "runs": self.runs}


def summary(samples: Sequence[Sample]) -> dict[str, Stats]:
    """Seconds and peak MB of a list of runs."""
    return {"seconds": Stats.of([s.seconds for s in samples]),
            "peak_mb": Stats.of([s.peak_mb for s in samples])}


def ratios(a: Sequence[Sample], b: Sequence[Sample]) -> Stats:
    """Per pair (A_i / B_i) wall-clock ratios of paired runs."""
    return Stats.of([x.seconds / y.seconds for x, y in zip(a, b, strict=True)])


def machine() -> dict[str, str]:
    """nproc, CPU model, RAM and the date, read from the system."""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "ram_gb": f"{mem_kb / 1024 / 1024:.1f}",
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "load": load()}


def load() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine skews timings."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
