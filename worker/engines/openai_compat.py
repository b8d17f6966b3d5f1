"""Any OpenAI-compatible chat endpoint: vLLM serving Qwen2-Audio in production, or llama.cpp's
server. Audio goes as an ``input_audio`` part (base64 WAV) where the server accepts it."""

from __future__ import annotations

import base64
import io
import json
import urllib.error
import urllib.request
from typing import Any

import numpy as np
import soundfile as sf

from worker.engines.requests import SAMPLE_RATE, Request
from worker.errors import TransientError

ENGINE_NAME = "openai-compatible"


class OpenAICompatEngine:
    name = ENGINE_NAME

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        supports_audio: bool = False,
        context_tokens: int = 8192,
        timeout_s: float = 300.0,
        supports_schema: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model_id = model
        self.supports_audio = supports_audio
        # OpenAI-style response_format with a JSON schema (vLLM, OpenAI); off unless the
        # server is known to honour it.
        self.supports_schema = supports_schema
        self.context_tokens = context_tokens
        self._api_key, self._timeout = api_key, timeout_s

    def _content(self, request: Request) -> Any:
        if request.audio is None:
            return request.prompt
        if not self.supports_audio:
            raise ValueError(f"{self.base_url} is not configured to accept audio")
        buffer = io.BytesIO()
        sf.write(buffer, np.asarray(request.audio, dtype=np.float32), SAMPLE_RATE, format="WAV")
        encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
        return [
            {"type": "input_audio", "input_audio": {"data": encoded, "format": "wav"}},
            {"type": "text", "text": request.prompt},
        ]

    def generate(self, requests: list[Request], max_new_tokens: int) -> list[str]:
        return [self._complete(r, max_new_tokens) for r in requests]

    def _complete(self, request: Request, max_new_tokens: int) -> str:
        payload: dict[str, object] = {
            "model": self.model_id,
            "messages": [{"role": "user", "content": self._content(request)}],
            "max_tokens": max_new_tokens,
            "temperature": 0,
        }
        if request.schema is not None:
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": request.schema},
            }
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        call = urllib.request.Request(  # noqa: S310 - the URL comes from settings
            f"{self.base_url}/v1/chat/completions", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(call, timeout=self._timeout) as response:  # noqa: S310
                reply = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise TransientError(f"{self.base_url} answered {exc.code}") from exc
            raise ValueError(
                f"{self.base_url} refused the request: {exc.code} {exc.reason}"
            ) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise TransientError(f"{self.base_url} is unreachable: {exc}") from exc
        return str(reply["choices"][0]["message"]["content"] or "").strip()
