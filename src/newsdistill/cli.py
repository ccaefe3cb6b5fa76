"""Command-line interface. Thin: parses options, calls the library, prints results.

Exit status: 0 success, 1 runtime error (nothing usable, every source failed), 2 usage error.
Data goes to stdout; progress and errors to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .cli_engines import NLI_HELP, engine_options, nli_model, pipeline_engine, resolve_settings
from .errors import NewsdistillError

FORMAT_CHOICE = click.Choice(["markdown", "json", "html", "text"])


def _options(
    words: int,
    allow_private: bool,
    max_mb: float,
    topic: str | None = None,
    query: str | None = None,
    engine: Any = None,
    progress: Callable[[str], None] | None = None,
    nli: Any = None,
) -> Any:
    """Pipeline options; ``engine`` is a ``config.Settings`` (None: the offline engine),
    ``nli`` the contradiction model (None: words only)."""
    from .pipeline import Options
    from .sources import ReadOptions
    from .write.offline import WriteOptions

    return Options(
        read=ReadOptions(allow_private=allow_private, max_bytes=int(max_mb * 1024 * 1024)),
        write=WriteOptions(words=words, query=query),
        topic=topic,
        nli=nli,
        **(pipeline_engine(engine, progress) if engine else {}),
    )


def _progress(quiet: bool) -> Callable[[str], None] | None:
    """Progress on stderr: every skipped source as a warning; the rest only on a terminal."""
    if quiet:
        return None
    tty = sys.stderr.isatty()

    def report(msg: str) -> None:
        if msg.startswith("skipped "):
            click.echo(f"warning: {msg}", err=True)
        elif msg.startswith("warning: ") or tty:  # warnings: e.g. a model fell back to offline
            click.echo(msg, err=True)

    return report


def _fail(exc: NewsdistillError) -> None:
    raise click.ClickException(str(exc)) from exc


def source_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--allow-private",
        is_flag=True,
        help="Allow URLs on loopback/private addresses (for local servers and tests).",
    )(f)
    f = click.option(
        "--max-mb", type=click.FloatRange(0.01), default=10.0, show_default=True,
        help="Largest source to read, in MB.",
    )(f)  # fmt: skip
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsdistill")
def main() -> None:
    """Distill the articles reporting one news event into one concise story in which every
    sentence cites the source sentences that state it.

    \b
    Examples:
      newsdistill demo
      newsdistill write reports/ --format json --words 200
      newsdistill write https://example.com/a.html b.html notes/c.txt -
    """


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=FORMAT_CHOICE, default="markdown", show_default=True)
@click.option("-w", "--words", type=click.IntRange(40, 5000), default=250, show_default=True,
              help="Target length of each story in words.")  # fmt: skip
@click.option("-t", "--topic", help='Keep only stories about this, e.g. --topic "warehouse fire".')
@click.option(
    "--query",
    help="Write one story focused on a question, from all the sources (no clustering), "
    'e.g. --query "What did regulators do?".',
)
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr.")
@click.option("--nli", is_flag=True, help=NLI_HELP)
@source_options
@engine_options
def write(
    sources: tuple[str, ...],
    fmt: str,
    words: int,
    topic: str | None,
    query: str | None,
    quiet: bool,
    nli: bool,
    allow_private: bool,
    max_mb: float,
    engine: str | None,
    base_url: str | None,
    model: str | None,
    config: str | None,
    timeout: float | None,
) -> None:
    """Write one cited story per event from SOURCES.

    SOURCES are http(s) URLs, .html/.htm/.txt/.md files (optionally .gz), folders of them,
    or - for standard input. Sources that cannot be used are listed with the reason; the
    command fails (exit 1) only when none is usable.

    \b
    Examples:
      newsdistill write a.html b.html c.txt
      newsdistill write reports/ --format json --words 200
      cat story.txt | newsdistill write - other.html
      newsdistill write feeds/today/ --topic "streetcar"
      newsdistill write haystack/ --query "What did regulators do?" --words 200
      newsdistill write reports/ --engine openai --base-url http://127.0.0.1:11434/v1 \\
          --model llama3.2 --nli

    With --topic, exit status 1 means no story is about the topic.

    Engines: offline (default) or a model (--engine openai --base-url URL --model NAME, or
    --engine llamacpp --model FILE.gguf); settings also come from NEWSDISTILL_* variables
    and a config file (see `newsdistill engines`). Whatever writes, the verifier gates every
    sentence; with --nli the contradiction model checks it too (most useful with a model
    engine: the offline engine publishes the sources' own sentences).
    """
    settings = resolve_settings(engine, base_url, model, config, timeout)
    model_ = nli_model() if nli else None
    _run_write(
        list(sources), fmt, words, quiet, allow_private, max_mb, topic, query, settings, model_
    )


def _run_write(
    sources: list[str],
    fmt: str,
    words: int,
    quiet: bool,
    allow_private: bool,
    max_mb: float,
    topic: str | None = None,
    query: str | None = None,
    engine: Any = None,
    nli: Any = None,
) -> None:
    from .pipeline import distill
    from .render import render

    progress = _progress(quiet)
    try:
        options = _options(words, allow_private, max_mb, topic, query, engine, progress, nli)
        digest = distill(sources, options, progress)
    except NewsdistillError as exc:
        _fail(exc)
    click.echo(render(digest, fmt), nl=False)


@main.command()
@click.option("-f", "--format", "fmt", type=FORMAT_CHOICE, default="markdown", show_default=True)
@click.option("-w", "--words", type=click.IntRange(40, 5000), default=250, show_default=True)
def demo(fmt: str, words: int) -> None:
    """Write stories from the sample articles shipped with newsdistill (offline).

    \b
    Example:
      newsdistill demo --format json
    """
    from .sampledata import samples_dir

    folder = samples_dir()
    click.echo(f"newsdistill demo: writing stories from the sample articles in {folder}", err=True)
    pages = [str(p) for p in sorted(folder.glob("*.html"))]
    _run_write(pages, fmt, words, True, False, 10.0)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True
)
@source_options
def extract(sources: tuple[str, ...], fmt: str, allow_private: bool, max_mb: float) -> None:
    """Extract article text and metadata from SOURCES, one JSON object per line.

    Each line has source, title, outlet, published, text; or source and error. Exit status
    is 1 when no source could be extracted.

    \b
    Example:
      newsdistill extract page.html page2.html.gz | jq .title
    """
    from . import sources as src
    from .errors import SourceError
    from .extract import extract as extract_page

    options = _options(250, allow_private, max_mb)
    ok = 0
    for item in src.expand(list(sources)):
        try:
            if isinstance(item, SourceError):
                raise item
            page = extract_page(src.read(item, options.read), options.extract)
            record: dict[str, Any] = {
                "source": page.source, "title": page.title, "outlet": page.outlet,
                "byline": page.byline, "published": page.published, "url": page.url,
                "dateline": page.dateline, "text": page.text,
            }  # fmt: skip
            ok += 1
        except SourceError as exc:
            record = {"source": exc.source, "error": exc.reason}
        if fmt == "json":
            click.echo(json.dumps(record, ensure_ascii=False))
        elif "error" in record:
            click.echo(f"{record['source']}: error: {record['error']}\n")
        else:
            meta = " ".join(str(record[k]) for k in ("outlet", "published") if record[k])
            click.echo(f"{record['title']}\n{meta}\n\n{record['text']}\n")
    if not ok:
        click.echo("Error: no source could be extracted", err=True)
        sys.exit(1)


from .cli_cluster import cluster  # noqa: E402

main.add_command(cluster)


from .cli_check import check  # noqa: E402

main.add_command(check)


from .cli_engines import engines  # noqa: E402

main.add_command(engines)


from .cli_desk import history, scan, show, sources, stories, watch  # noqa: E402

main.add_command(scan)
main.add_command(watch)
main.add_command(stories)
main.add_command(show)
main.add_command(history)
main.add_command(sources)


from .cli_web import publish, serve  # noqa: E402

main.add_command(serve)
main.add_command(publish)


if __name__ == "__main__":  # pragma: no cover
    main()
