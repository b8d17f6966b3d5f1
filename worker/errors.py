"""Small named exceptions. Permanent ones fail the recording at once; transient ones are retried."""

from __future__ import annotations


class TingshuoError(Exception):
    """Base of every error Tingshuo raises on purpose."""


class PermanentError(TingshuoError):
    """Retrying cannot help: the input itself is unusable."""


class TransientError(TingshuoError):
    """Worth retrying with backoff (a service restarting, a busy file system)."""


class RejectedUpload(PermanentError):
    """The upload failed server-side validation."""


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
