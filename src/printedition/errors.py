"""The one exception hierarchy: the library raises these, only the CLI catches them.

Every message names what went wrong and where (the file, URL or manifest key), so the CLI
can print it as a single ``Error: …`` line.
"""

from __future__ import annotations


class PrinteditionError(Exception):
    """Base class: a problem the user can act on. ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str, *, where: str = "") -> None:
        self.message = message
        self.where = where
        super().__init__(self.format())

    def format(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class InputError(PrinteditionError):
    """An input file or URL cannot be read: missing, unreadable, too large, wrong kind."""


class NoArticleError(InputError):
    """The page was read but holds no article we can extract."""


class ImageError(InputError):
    """An image is missing, corrupt, too large to decode, or of a kind we refuse."""


class FetchError(InputError):
    """A URL could not be fetched (HTTP error, timeout, refused address)."""


class HTTPStatusError(FetchError):
    """The server answered with an HTTP error status (``status``: 401, 404, …)."""

    def __init__(self, message: str, *, status: int, where: str = "") -> None:
        self.status = status
        super().__init__(message, where=where)


class UnsafeResourceError(InputError):
    """A resource points somewhere we never read: local files outside the input,
    private or metadata addresses, unsupported schemes."""


class ManifestError(PrinteditionError):
    """issue.toml is invalid: the message names the key and line and what would be right."""

    exit_code = 2


class OutputError(PrinteditionError):
    """An output cannot be written (missing directory, no permission, full disk)."""


class ConfigError(PrinteditionError):
    """A setting, font, ICC profile or option is invalid or missing."""

    exit_code = 2
