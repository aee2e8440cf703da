"""A small exception tree. Exceptions are for programming errors and for aborting a command whose
input cannot be used at all; everything a user can fix in their files is a Finding instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowscore.findings import Finding


class FlowscoreError(Exception):
    """Base of every flowscore exception; its message is Chinese and shown to the user."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "", findings: tuple[Finding, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.findings = findings  # the problems that led here, listed under the message


class RubricError(FlowscoreError):
    """A rubric file cannot be used (syntax error, or validation errors)."""


class NothingToScore(FlowscoreError):
    """The folder holds no unit's score sheet: nothing is computed and nothing is written."""


class UsageError(FlowscoreError):
    """The command was asked for something that does not exist (an unknown unit, rubric...)."""

    exit_code = 2


class OutputError(FlowscoreError):
    """Outputs could not or must not be written (an existing file without --force...)."""
