"""A pyannote.audio 4 pipeline with randomly initialised models, in the community-1 layout.

It loads through exactly the production path (``Pipeline.from_pretrained(folder)``): PyanNet
segmentation, WeSpeaker ResNet34 embedding and a PLDA for VBx clustering. Its answers are
meaningless; the loading, the in-memory waveform input, the hook and the output are real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _save(model: Any, path: Path) -> None:
    import lightning
    import torch

    ckpt = {
        "state_dict": model.state_dict(),
        "hyper_parameters": dict(model.hparams),
        "pytorch-lightning_version": lightning.__version__,
    }
    model.on_save_checkpoint(ckpt)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(ckpt, path)


def build(root: Path) -> Path:
    """Write config.yaml, segmentation/, embedding/ and plda/ under ``root`` (once)."""
    if (root / "config.yaml").exists():
        return root
    import numpy as np
    import torch
    import yaml
    from pyannote.audio.core.task import Problem, Resolution, Specifications
    from pyannote.audio.models.embedding import WeSpeakerResNet34
    from pyannote.audio.models.segmentation import PyanNet

    torch.manual_seed(0)
    seg = PyanNet(
        sincnet={"stride": 10},
        lstm={"hidden_size": 16, "num_layers": 1, "bidirectional": True, "monolithic": True},
        linear={"hidden_size": 16, "num_layers": 1},
        sample_rate=16000,
        num_channels=1,
    )
    seg.specifications = Specifications(
        problem=Problem.MONO_LABEL_CLASSIFICATION,
        resolution=Resolution.FRAME,
        duration=10.0,
        classes=["speaker#1", "speaker#2", "speaker#3"],
        powerset_max_classes=2,
        permutation_invariant=True,
    )
    seg.setup()
    _save(seg, root / "segmentation" / "pytorch_model.bin")
    emb = WeSpeakerResNet34(sample_rate=16000, num_channels=1)
    emb.specifications = Specifications(
        problem=Problem.REPRESENTATION, resolution=Resolution.CHUNK, duration=10.0
    )
    emb.setup()
    _save(emb, root / "embedding" / "pytorch_model.bin")
    dim = emb.dimension
    lda = 128
    rng = np.random.default_rng(0)
    (root / "plda").mkdir(exist_ok=True)
    np.savez(
        root / "plda" / "xvec_transform.npz",
        mean1=rng.normal(size=dim),
        mean2=rng.normal(size=lda),
        lda=rng.normal(size=(dim, lda)),
    )
    tr = rng.normal(size=(lda, lda))
    np.savez(
        root / "plda" / "plda.npz",
        mu=rng.normal(size=lda),
        tr=tr,
        psi=np.abs(rng.normal(size=lda)) + 0.5,
    )
    (root / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "version": "4.0.0",
                "pipeline": {
                    "name": "pyannote.audio.pipelines.SpeakerDiarization",
                    "params": {
                        "segmentation": "$model/segmentation",
                        "embedding": "$model/embedding",
                        "plda": "$model/plda",
                        "clustering": "VBxClustering",
                        # community-1 steps by 10% of its 10 s window; every step costs an
                        # embedding per local speaker through ResNet34 (most of the CPU time
                        # in CI), and a random pipeline's answers mean nothing at any step.
                        "segmentation_step": 0.5,
                        "embedding_batch_size": 8,
                        "segmentation_batch_size": 8,
                    },
                },
                "params": {
                    "clustering": {"threshold": 0.6, "Fa": 0.07, "Fb": 0.8},
                    "segmentation": {"min_duration_off": 0.0},
                },
            }
        )
    )
    return root
