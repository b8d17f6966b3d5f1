"""The peak resident memory of a process and everything it starts, sampled from /proc (Linux).

VmHWM is the kernel's own high-water mark of a process's resident memory, so a sample once a
second misses no peak of a process still alive at the next sample."""

from __future__ import annotations

import threading
from pathlib import Path


class PeakMemory(threading.Thread):
    def __init__(self, root_pid: int, every_s: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.root_pid, self.every_s = root_pid, every_s
        self.peaks_mb: dict[str, int] = {}  # "pid command" -> MB
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self.every_s):
            self.sample()

    def sample(self) -> None:
        for pid in [self.root_pid, *descendants(self.root_pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:5]
            except OSError:
                continue
            lines = [line for line in status.splitlines() if line.startswith("VmHWM")]
            if not lines:
                continue
            label = f"{pid} {b' '.join(argv).decode(errors='replace')[-70:]}"
            self.peaks_mb[label] = max(
                self.peaks_mb.get(label, 0), int(lines[0].split()[1]) // 1024
            )

    def stop(self) -> dict[str, int]:
        self._stopped.set()
        self.join(timeout=5)
        return dict(sorted(self.peaks_mb.items(), key=lambda kv: -kv[1]))


def descendants(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    found = [int(c) for c in children]
    return found + [d for c in found for d in descendants(c)]
