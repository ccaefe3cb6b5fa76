"""The web commands: ``serve`` (the news site and JSON API) and ``publish`` (the same pages
and feeds as static files). Thin: ``web.app`` and ``web.static`` do the work; FastAPI and
uvicorn are imported inside ``serve`` so that ``newsdistill --help`` stays instant."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from .cli_desk import _open_store, db_option


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but a loopback address lets other machines read "
    "the stories.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@db_option
def serve(host: str, port: int, db: str | None) -> None:
    """Serve the desk's stories as a news site with an Atom feed and a JSON API.

    Pages: / (front page), /stories/ID.html, /feed.atom, /topics/TOPIC.atom.
    API: /api/stories, /api/stories/ID, /api/stories/ID/versions; the OpenAPI document is
    /api/openapi.json.

    \b
    Examples:
      newsdistill serve
      newsdistill serve --port 8080 --db ~/news/desk.sqlite
    """
    try:
        import uvicorn

        from .web.app import create_app
    except ModuleNotFoundError as exc:
        raise click.ClickException(
            f"serving needs the {exc.name} package: pip install fastapi uvicorn"
        ) from exc
    if not _is_loopback(host):
        click.echo(
            f"warning: listening on {host}: other machines on the network can read the site",
            err=True,
        )
    store = _open_store(db)
    app = create_app(store=store)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving on http://{shown}:{port}/ (Ctrl+C stops)", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    finally:
        store.close()


@click.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site into (created if missing; files are replaced).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Address the folder will be served from, e.g. https://news.example/; makes the "
    "feed's links absolute, as feed readers need.",
)
@click.option(
    "--topic",
    "topics",
    multiple=True,
    metavar="WORDS",
    help="Also write an Atom feed of the stories about WORDS (repeatable).",
)
@db_option
def publish(out: Path, base_url: str | None, topics: tuple[str, ...], db: str | None) -> None:
    """Write the desk's stories as a static site: the pages `serve` shows, an Atom feed
    and one feed per --topic.

    \b
    Examples:
      newsdistill publish --out site/
      newsdistill publish --out site/ --base-url https://news.example/ --topic fire
    """
    from .web.static import publish as write_site

    if base_url and not base_url.lower().startswith(("http://", "https://")):
        raise click.BadParameter("give an http(s) URL", param_hint="--base-url")
    store = _open_store(db)
    try:
        report = write_site(store, out, base_url=base_url, topics=topics)
    except OSError as exc:
        raise click.ClickException(f"cannot write the site into {out}: {exc}") from exc
    finally:
        store.close()
    click.echo(
        f"wrote {report.stories} stories ({report.pages} pages, {report.feeds} feeds) to {out}",
        err=True,
    )
    if not report.stories:
        click.echo("warning: the desk has no stories yet; run `newsdistill scan` first", err=True)
