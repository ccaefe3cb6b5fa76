"""Exceptions raised by newsdistill.

The hierarchy, written out once::

    NewsdistillError            anything the user can act on; never shown as a traceback
    ├── SourceError             one input (file, URL, stdin) could not be used; carries
    │   │                       ``source`` (as the user gave it) and ``reason``
    │   ├── FetchError          reading or downloading failed (missing file, network, HTTP
    │   │   │                   status, too large, refused address)
    │   │   ├── fetch.Refused   robots.txt or the address check said no
    │   │   ├── fetch.HttpError an HTTP error status
    │   │   └── fetch.Deferred  the host asked us to come back later (Retry-After, backoff)
    │   └── ExtractionError     the input was read but holds no usable article text
    │       │                   (binary, empty, no article, unsupported language)
    │       └── feeds.FeedError a feed that cannot be parsed (or declares XML entities)
    ├── NothingToWrite          every source was skipped, so no story can be written
    ├── config.ConfigError      a bad setting (names the file and key)
    ├── store.StoreError        the database cannot be opened, migrated or written
    └── write.llm.EngineError   a model engine cannot run (no server, unknown model, no key)

The classes named with a module live beside the code that raises them.

A batch never stops on a ``SourceError``: the pipeline records it as a skipped source and goes
on. ``NothingToWrite`` ends a run with exit status 1.
"""

from __future__ import annotations


class NewsdistillError(Exception):
    """Base class for errors with a message a user can act on."""


class SourceError(NewsdistillError):
    """One source could not be used; ``reason`` is a short, one-line explanation."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class FetchError(SourceError):
    """Reading a file or downloading a URL failed."""


class ExtractionError(SourceError):
    """The source was read but holds no usable article text."""


class NothingToWrite(NewsdistillError):
    """No source was usable, so there is nothing to write a story from."""
