"""Small named exceptions. Permanent ones fail the recording at once; transient ones are retried."""

from __future__ import annotations

from models.errors import PermanentError, RejectedUpload, RunRefused, TingshuoError

__all__ = ["PermanentError", "RejectedUpload", "RunRefused", "TingshuoError"]


class TransientError(TingshuoError):
    """Worth retrying with backoff (a service restarting, a busy file system)."""


class EmptyFileError(RejectedUpload):
    pass


class FileTooLargeError(RejectedUpload):
    pass


class NotAudioError(PermanentError):
    pass


class CorruptAudioError(PermanentError):
    pass


class AudioTooLongError(PermanentError):
    pass


class AudioTooShortError(PermanentError):
    pass


class IncompleteTranscriptError(PermanentError):
    pass


class ModelNotAvailableError(PermanentError):
    """A model folder is missing or incomplete; the message says how to prepare it."""


class RecordingNotFound(TingshuoError):
    pass


class StaleRunError(TingshuoError):
    """A task of a pipeline run that is no longer the recording's current run: it stops and
    writes nothing (a newer run, or the sweeper, took the recording over)."""
