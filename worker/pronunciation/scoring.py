"""Turning evidence into a report: five scores on 0-100, a mark for every word, feedback, and
the sources each score came from. The numbers come from linear models calibrated against expert
raters (speechocean762); `calibration.json` holds them and names the utterances used."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from worker.pronunciation.evidence import Evidence
from worker.pronunciation.features import sentence_features, voice_features, word_features
from worker.pronunciation.linear import LinearModel

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")
SCORES = ("accuracy", "fluency", "completeness", "prosody", "overall")
# The experts' names for the same scores (0-10, completeness as a fraction).
EXPERT_NAMES = {
    "accuracy": "accuracy",
    "fluency": "fluency",
    "completeness": "completeness",
    "prosody": "prosodic",
    "overall": "total",
}
UNHEARD_PROBABILITY = 0.05
MOSTLY_UNHEARD = 0.34
Mark = Literal["correct", "mispronounced", "omitted", "inserted"]


class CalibrationMissingError(RuntimeError):
    """No calibration file: run `tingshuo eval pronunciation DIR --calibrate`."""


@dataclass(frozen=True)
class WordMark:
    word: str
    mark: Mark
    score: float | None
    start_s: float | None = None
    end_s: float | None = None
    heard_as: str | None = None
    # The word's position in the reference text (scripted readings); a teacher's override is
    # kept against it, so it never moves to another word after a re-run.
    reference_index: int | None = None


@dataclass(frozen=True)
class Report:
    scores: dict[str, float | None]
    word_marks: list[WordMark]
    feedback: str
    sources: dict[str, Any] = field(default_factory=dict)

    @property
    def mispronounced(self) -> list[str]:
        return [m.word for m in self.word_marks if m.mark in ("mispronounced", "omitted")]


@dataclass(frozen=True)
class Calibration:
    version: str
    scripted: dict[str, LinearModel]
    unscripted: dict[str, LinearModel]
    word_scripted: LinearModel
    word_unscripted: LinearModel
    voice: LinearModel
    mark_below: float
    calibrated_on: frozenset[str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        def models(block: dict[str, Any]) -> dict[str, LinearModel]:
            return {name: LinearModel.from_json(m) for name, m in block.items()}

        return cls(
            version=data["version"],
            scripted=models(data["scripted"]),
            unscripted=models(data["unscripted"]),
            word_scripted=LinearModel.from_json(data["word_scripted"]),
            word_unscripted=LinearModel.from_json(data["word_unscripted"]),
            voice=LinearModel.from_json(data["voice"]),
            mark_below=float(data["mark_below"]),
            calibrated_on=frozenset(data["calibrated_on"]),
        )


@lru_cache(maxsize=4)
def load_calibration(path: Path = CALIBRATION_PATH) -> Calibration:
    if not path.is_file():
        raise CalibrationMissingError(f"no pronunciation calibration at {path}")
    return Calibration.from_json(json.loads(path.read_text()))


def score(evidence: Evidence, calibration: Calibration) -> Report:
    scripted = bool(evidence.reference and evidence.reference.strip())
    if not evidence.words:
        return Report(
            dict.fromkeys(SCORES, 0.0 if scripted else None),
            [],
            "No speech was recognised in this recording.",
            {"evidence": "no words heard"},
        )
    if scripted and not any(w.heard_as for w in evidence.words):
        return Report(
            dict.fromkeys(SCORES, 0.0),
            [
                WordMark(w.text, "omitted", 0.0, reference_index=i)
                for i, w in enumerate(evidence.words)
            ],
            "None of the text was recognised: check that the recording holds the student "
            "reading it.",
            dict.fromkeys(SCORES, "nothing of the reference text was heard"),
        )
    row = sentence_features(evidence)
    row["voice_score"] = (
        float(calibration.voice.predict([voice_features(evidence)])[0])
        if len(evidence.voice) == len(calibration.voice.features)
        else calibration.voice.intercept
    )
    models = calibration.scripted if scripted else calibration.unscripted
    scores: dict[str, float | None] = {}
    for name in SCORES:
        model = models.get(EXPERT_NAMES[name])
        scale = 100.0 if name == "completeness" else 10.0
        scores[name] = round(float(model.predict([row])[0]) * scale, 1) if model else None
    word_model = calibration.word_scripted if scripted else calibration.word_unscripted
    predicted = word_model.predict(
        [word_features(evidence, i, row) for i in range(len(evidence.words))]
    )
    marks = _marks(evidence, [float(p) for p in predicted], calibration.mark_below, scripted)
    sources = {
        name: ("whisper-evidence" if value is not None else "needs a reference text")
        for name, value in scores.items()
    }
    sources["calibration"] = calibration.version
    return Report(scores, marks, feedback(scores, marks, evidence), sources)


def _marks(
    evidence: Evidence, predicted: list[float], below: float, scripted: bool
) -> list[WordMark]:
    extra: dict[int, list[str]] = {}
    for added in evidence.inserted if scripted else []:
        extra.setdefault(added.before, []).append(added.text)
    heard_share = sum(w.op == "match" for w in evidence.words) / max(1, len(evidence.words))
    marks: list[WordMark] = []
    for index, (word, value) in enumerate(zip(evidence.words, predicted, strict=True)):
        marks.extend(WordMark(text, "inserted", None) for text in extra.get(index, []))
        mark: Mark = "correct"
        # When most of the text was not heard at all (another text read, or none), the
        # calibrated model has never seen such a reading: a word neither heard nor probable
        # when Whisper is made to read it is marked whatever the model says.
        unheard = word.op != "match" and word.forced_probability < UNHEARD_PROBABILITY
        if value < below or (scripted and heard_share < MOSTLY_UNHEARD and unheard):
            mark = "omitted" if word.op == "omit" else "mispronounced"
        marks.append(
            WordMark(
                word.text,
                mark,
                round(value * 10, 1),
                word.start_s,
                word.end_s,
                word.heard_as,
                index if scripted else None,
            )
        )
    marks.extend(WordMark(text, "inserted", None) for text in extra.get(len(evidence.words), []))
    return marks


def feedback(scores: dict[str, float | None], marks: list[WordMark], evidence: Evidence) -> str:
    """A few plain sentences a student can act on."""
    read = [m for m in marks if m.mark != "inserted"]
    weak = [m.word for m in read if m.mark == "mispronounced"]
    missed = [m.word for m in read if m.mark == "omitted"]
    parts = [f"{len(read) - len(weak) - len(missed)} of {len(read)} words sounded right."]
    if weak:
        parts.append("Practise: " + ", ".join(dict.fromkeys(weak[:8])) + ".")
    if missed:
        parts.append("Left out: " + ", ".join(dict.fromkeys(missed[:8])) + ".")
    pace = evidence.delivery.syllables_per_s
    if pace and pace < 2.0:
        parts.append(f"The pace was slow ({pace:.1f} syllables a second): read in phrases.")
    if evidence.delivery.pauses >= 3:
        parts.append(f"There were {evidence.delivery.pauses} long pauses.")
    if evidence.fillers:
        parts.append(f"Hesitation sounds: {evidence.fillers}.")
    if (scores.get("prosody") or 100) < 60:
        parts.append("The voice stayed flat: let the pitch rise and fall with the sentence.")
    return " ".join(parts)
