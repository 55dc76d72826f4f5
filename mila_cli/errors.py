"""The errors mila reports, each with the exit code the README documents."""

from __future__ import annotations

# Exit codes, shared by every command.
NOT_FOUND = 1
USAGE = 2  # click's own usage errors
BAD_DATA = 3
OUTPUT = 4  # the output could not be written: a full disk, a closed stdout


class MilaError(Exception):
    """An error with a one-line message for the user and its exit code."""

    exit_code = BAD_DATA

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(MilaError):
    """Nothing matched what was asked for."""

    exit_code = NOT_FOUND


class DataError(MilaError):
    """A fact file, a pack or the bookmark file is missing, unreadable or invalid."""

    exit_code = BAD_DATA


class UsageError(MilaError):
    """A value click could not check by itself, such as a blank fact id or a name too long."""

    exit_code = USAGE
