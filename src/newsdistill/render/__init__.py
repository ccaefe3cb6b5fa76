"""Renderers: turn a ``Digest`` into Markdown, HTML, JSON or plain text."""

from __future__ import annotations

from collections.abc import Callable

from ..models import Digest

FORMATS = ("markdown", "json", "html", "text")


def render(digest: Digest, fmt: str) -> str:
    """Render a digest in one of ``FORMATS``."""
    renderer: Callable[[Digest], str]
    if fmt == "json":
        from .jsonout import render_json as renderer
    elif fmt == "markdown":
        from .markdown import render_markdown as renderer
    elif fmt == "html":
        from .html import render_html as renderer
    elif fmt == "text":
        from .text import render_text as renderer
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderer(digest)
