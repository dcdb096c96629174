"""The aimm_nlp error tree.

Every error the library raises on purpose derives from :class:`AimmError`. Each
subclass also inherits the builtin it refines, so ``except KeyError`` or
``except ValueError`` in user code keeps working (httpx / spaCy style). Messages
say what happened, why, and the fix.
"""

from __future__ import annotations

__all__ = [
    "AimmError",
    "ConfigError",
    "DataError",
    "InputFileError",
    "MissingDependencyError",
    "ModelError",
    "UnknownNameError",
]


class AimmError(Exception):
    """Base class of every error raised by aimm_nlp on purpose."""


class ConfigError(AimmError, ValueError):
    """A configuration, preset override or option value is invalid.

    ``errors`` holds every problem found, so a user can fix them all at once.
    """

    def __init__(self, message: str, *, errors: list[str] | None = None) -> None:
        self.errors = list(errors or [])
        if self.errors:
            message = message + "\n" + "\n".join(f"  - {e}" for e in self.errors)
        super().__init__(message)


class UnknownNameError(AimmError, KeyError):
    """A registered name (preset, task, backend…) does not exist."""

    def __init__(self, message: str, *, name: str = "", choices: list[str] | None = None) -> None:
        self.name = name
        self.choices = list(choices or [])
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would repr() the message and add quotes
        return str(self.args[0])


class DataError(AimmError, ValueError):
    """Input data is malformed: a missing column, a bad line, an empty corpus."""


class InputFileError(AimmError, OSError):
    """A file cannot be read: missing, a directory, binary, or invalid UTF-8.

    ``path``, ``line`` (1-based) and ``byte_offset`` (0-based, in the file) are set
    when known, so tools can point at the exact place.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        byte_offset: int | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.byte_offset = byte_offset
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class ModelError(AimmError, ValueError):
    """A model or tokenizer directory is missing, corrupt, or of the wrong kind."""


class MissingDependencyError(AimmError, ImportError):
    """An optional dependency is not installed; the message names the pip command."""
