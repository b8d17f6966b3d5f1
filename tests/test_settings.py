from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from models.settings import Settings


def test_embedded_default_derives_everything_from_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'd' / 'tingshuo.db'}"
    assert settings.celery_broker_url.startswith("sqla+sqlite:///")
    assert settings.celery_result_backend.startswith("db+sqlite:///")
    assert settings.embedded_broker
    assert settings.whisper_model_path == str(tmp_path / "d" / "models" / "whisper-base")


PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql+psycopg://u:p@db/tingshuo",
    "broker_url": "redis://redis:6379/0",
    "result_backend": "redis://redis:6379/1",
    "secret_key": "a-real-secret-of-enough-length",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"secret_key": ""}, "TINGSHUO_SECRET_KEY"),
        ({"secret_key": "changeme"}, "TINGSHUO_SECRET_KEY"),
        ({"secret_key": "short"}, "at least 16"),
        ({"database_url": ""}, "TINGSHUO_DATABASE_URL"),
        ({"broker_url": ""}, "TINGSHUO_BROKER_URL"),
        ({"result_backend": ""}, "TINGSHUO_RESULT_BACKEND"),
    ],
)
def test_production_has_no_working_defaults(change: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**{**PRODUCTION, **change})


def test_production_with_everything_named_is_accepted() -> None:
    settings = Settings(**PRODUCTION)
    assert not settings.embedded_broker
    assert settings.sqlalchemy_url == PRODUCTION["database_url"]


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TINGSHUO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TINGSHUO_MAX_UPLOAD_BYTES", "1234")
    settings = Settings()
    assert settings.data_path == tmp_path.resolve()
    assert settings.max_upload_bytes == 1234
