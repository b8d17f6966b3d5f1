"""The named exceptions the shared model raises; worker/errors.py builds on them."""

from __future__ import annotations


class TingshuoError(Exception):
    """Base of every error Tingshuo raises on purpose."""


class PermanentError(TingshuoError):
    """Retrying cannot help: the input itself is unusable."""


class RejectedUpload(PermanentError):
    """The upload failed server-side validation."""


class RunRefused(TingshuoError):
    """A new pipeline run was not started; the message says why."""
