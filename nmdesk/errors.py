"""nmdesk's own exceptions. Each carries a message a clerk can act on, in Chinese.

The UI shows ``str(error)``; the CLI prints it on one line and exits with 2.
A traceback is for bugs only.
"""

from __future__ import annotations


class NmdeskError(Exception):
    """Base of every error a user can cause and fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(NmdeskError):
    """A field holds a value the rules do not accept. ``field`` names it in Chinese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}：{message}")
        self.field = field
        self.reason = message


class TransitionError(NmdeskError):
    """An account cannot move from its status to the one asked for."""


class NotFoundError(NmdeskError):
    """A record asked for by id or serial number does not exist."""


class DuplicateAccountError(NmdeskError):
    """Platform plus platform ID already belongs to another account."""

    def __init__(self, message: str, existing_id: int) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class RegisterError(NmdeskError):
    """The register file cannot be opened or used: not SQLite, newer, locked, damaged."""


class NewerRegisterError(RegisterError):
    """The register was written by a newer nmdesk; this version refuses to touch it."""


class ProfileError(NmdeskError):
    """A policy profile file is missing or invalid."""


class PolicyError(NmdeskError):
    """A policy rule forbids the action (suspended unit, ineligible unit kind, form not in profile)."""
