"""Timing one command in a fresh subprocess: wall clock, CPU time and peak resident memory.

Peak RSS is ``ru_maxrss`` from ``os.wait4`` on that one child: Linux reports the largest
resident set of the child or of any descendant it waited for (the maximum of single
processes, not their sum; a process pool's workers are counted one at a time).

The command is started by a small launcher process (``_LAUNCHER``), which times it and
reads its rusage: Linux counts in a child's peak the memory of the process it was forked
from, up to its ``exec``, so a command started straight from this (by then large) process
would seem to need at least as much memory as the benchmark itself.

CPU time is user plus system time of the command and of every process it waited for (a
build's workers): no machine with ``n`` cores runs it in less than CPU time / ``n``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
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
    cpu_seconds: float = 0.0


class CommandFailed(RuntimeError):
    """A benchmarked command exited with an error."""


_LAUNCHER = """
import json, os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as result:
    json.dump([seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status),
               usage.ru_utime + usage.ru_stime], result)
"""


def timed(cmd: Sequence[str | Path], cwd: Path | None = None,
          env: dict[str, str] | None = None, expect: int = 0) -> Sample:
    """Run ``cmd`` (its first item a path) once in a new process; its wall-clock time and
    peak RSS, as the small launcher process that started it measured them. It must exit
    with ``expect``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".json") as result:
        subprocess.run([sys.executable, "-I", "-S", "-c", _LAUNCHER, result.name,
                        *(str(c) for c in cmd)], cwd=cwd, env=env, stdout=out, stderr=err,
                       check=False)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        try:
            seconds, peak_kb, returncode, cpu = json.loads(Path(result.name).read_text())
        except ValueError:
            seconds, peak_kb, returncode, cpu = 0.0, 0, -1, 0.0  # the launcher itself failed
    if returncode != expect:
        shown = " ".join(str(c) for c in cmd)
        raise CommandFailed(f"{shown} exited with {returncode}:\n{stderr[-3000:]}")
    return Sample(seconds, peak_kb / 1024, stdout, cpu)


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
    """Seconds, peak MB and CPU seconds of a list of runs."""
    return {"seconds": Stats.of([s.seconds for s in samples]),
            "peak_mb": Stats.of([s.peak_mb for s in samples]),
            "cpu_seconds": Stats.of([s.cpu_seconds for s in samples])}


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
