"""Qwen2-Audio through transformers: a Hugging Face id or a local folder, loaded once, lazily.

bf16 on CUDA, float32 on the CPU. Requests are generated in batches: one ``generate`` call per
batch, left-padded, greedy by default. Audio and text-only requests go in separate batches.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from worker.engines.requests import SAMPLE_RATE, Request

ENGINE_NAME = "qwen2-audio"


def _conversation(prompt: str, with_audio: bool) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = (
        [{"type": "audio", "audio_url": "clip.wav"}] if with_audio else []
    )
    content.append({"type": "text", "text": prompt})
    return [{"role": "user", "content": content}]


class Qwen2AudioEngine:
    name = ENGINE_NAME
    supports_audio = True

    def __init__(self, model_id: str, device: str = "auto", batch_size: int = 8) -> None:
        import torch
        from transformers import AutoProcessor, Qwen2AudioForConditionalGeneration

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model_id, self.device, self.batch_size = model_id, device, batch_size
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        # transformers' own types are looser than its runtime; these two are used duck-typed.
        self.processor: Any = AutoProcessor.from_pretrained(model_id)  # type: ignore[no-untyped-call]
        self.processor.tokenizer.padding_side = "left"  # batched generation appends on the right
        model_class: Any = Qwen2AudioForConditionalGeneration
        self.model: Any = model_class.from_pretrained(model_id, dtype=dtype)
        self.model.to(device).eval()
        self.context_tokens = int(
            getattr(self.model.config.text_config, "max_position_embeddings", 8192)
        )

    def generate(self, requests: list[Request], max_new_tokens: int) -> list[str]:
        answers: dict[int, str] = {}
        for with_audio in (True, False):
            indices = [i for i, r in enumerate(requests) if (r.audio is not None) == with_audio]
            for start in range(0, len(indices), self.batch_size):
                batch = indices[start : start + self.batch_size]
                outputs = self._generate_batch([requests[i] for i in batch], max_new_tokens)
                answers.update(zip(batch, outputs, strict=True))
        return [answers[i] for i in range(len(requests))]

    def _generate_batch(self, batch: list[Request], max_new_tokens: int) -> list[str]:
        import torch

        with_audio = batch[0].audio is not None
        texts = [
            self.processor.apply_chat_template(
                _conversation(r.prompt, with_audio), add_generation_prompt=True, tokenize=False
            )
            for r in batch
        ]
        kwargs: dict[str, Any] = {"text": texts, "return_tensors": "pt", "padding": True}
        if with_audio:
            kwargs["audio"] = [np.asarray(r.audio, dtype=np.float32) for r in batch]
            kwargs["sampling_rate"] = SAMPLE_RATE
        inputs = self.processor(**kwargs).to(self.device)
        if "input_features" in inputs:
            inputs["input_features"] = inputs["input_features"].to(self.model.dtype)
        with torch.inference_mode():
            output = self.model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        return [
            str(t).strip()
            for t in self.processor.batch_decode(new_tokens, skip_special_tokens=True)
        ]


_lock = threading.Lock()
_engines: dict[tuple[str, str], Qwen2AudioEngine] = {}


def get_qwen2_audio(model_id: str, device: str = "auto") -> Qwen2AudioEngine:
    with _lock:
        if (model_id, device) not in _engines:
            _engines[(model_id, device)] = Qwen2AudioEngine(model_id, device)
        return _engines[(model_id, device)]
