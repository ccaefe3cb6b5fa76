"""The ``check`` command: judge any summary, sentence by sentence, against its sources.

Exit status: 0 every sentence is supported (or every pair consistent); 3 some sentence is not
supported (or some pair is inconsistent); 1 runtime error (no usable source, unreadable
file); 2 usage error. Data goes to stdout, warnings to stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .cli_engines import nli_model

EXIT_NOT_SUPPORTED = 3


@click.command(context_settings={"allow_extra_args": True})
@click.argument("summary_file", required=False, type=click.Path(allow_dash=True, dir_okay=False))
@click.option(
    "-s",
    "--sources",
    "sources",
    multiple=True,
    metavar="SOURCE",
    help="A source article: file, folder, URL or - (repeat, or list several after it).",
)
@click.option(
    "--pairs",
    "pairs",
    type=click.Path(allow_dash=True, dir_okay=False),
    help='JSON lines {"id", "doc", "summary"}: judge each summary against its doc.',
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default=None,
    help="text (a table) or json. Default: text on a terminal, json otherwise.",
)
@click.option(
    "--nli",
    is_flag=True,
    help="Also ask the contradiction model (the nli extra: pip install 'newsdistill[nli]'); "
    "catches contradictions in other words, about 10 times slower.",
)
@click.option("--allow-private", is_flag=True, help="Allow URLs on loopback/private addresses.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings about skipped sources.")
@click.pass_context
def check(
    ctx: click.Context,
    summary_file: str | None,
    sources: tuple[str, ...],
    pairs: str | None,
    fmt: str | None,
    nli: bool,
    allow_private: bool,
    quiet: bool,
) -> None:
    """Check every sentence of SUMMARY_FILE against the source articles.

    Each sentence is judged supported (with the source sentences that state it),
    contradicted (with the conflicting source sentence), unsupported (no source says it) or
    not_news (assistant chatter). Figures the sources disagree on are listed too.
    SUMMARY_FILE is .txt or .md, or - for standard input.

    Exit status: 0 all supported, 3 some sentence not supported, 1 runtime error,
    2 usage error; scripts can gate on it.

    \b
    Examples:
      newsdistill check story.txt --sources a.html b.html notes/
      newsdistill check - --sources reports/ --format json < bot-summary.md
      newsdistill check --pairs pairs.jsonl --format json
      newsdistill check bot-summary.md --sources reports/ --nli
    """
    # "--sources a.txt b.txt c.txt": the words after the first source are sources too.
    extra = list(ctx.args)
    if pairs is not None:
        if summary_file is not None or sources:
            raise click.UsageError("--pairs takes no SUMMARY_FILE and no --sources")
        ok = _run_pairs(pairs, nli_model() if nli else None)
    else:
        if summary_file is None:
            raise click.UsageError("give a SUMMARY_FILE (or -) and --sources, or --pairs FILE")
        if not sources and not extra:
            raise click.UsageError("give at least one --sources SOURCE")
        model = nli_model() if nli else None
        ok = _run_summary(summary_file, [*sources, *extra], fmt, allow_private, quiet, model)
    if not ok:
        sys.exit(EXIT_NOT_SUPPORTED)


def _read(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from exc


def _run_summary(
    summary_file: str,
    sources: list[str],
    fmt: str | None,
    allow_private: bool,
    quiet: bool,
    model: Any = None,
) -> bool:
    from .pipeline import Options, load_pages, make_articles
    from .sources import ReadOptions
    from .verify import check_summary

    text = _read(summary_file)
    options = Options(read=ReadOptions(allow_private=allow_private))
    pages, skipped = load_pages(sources, options)
    for s in skipped:
        if not quiet:
            click.echo(f"warning: skipped {s.source}: {s.reason}", err=True)
    if not pages:
        raise click.ClickException(
            "no usable source: " + "; ".join(f"{s.source}: {s.reason}" for s in skipped)
        )
    articles = make_articles(pages)
    result = check_summary(text, articles, model)
    if not result.sentences:
        raise click.ClickException(f"{summary_file}: no sentence to check")
    fmt = fmt or ("text" if sys.stdout.isatty() else "json")
    if fmt == "json":
        data: dict[str, Any] = result.to_json()
        data["sources"] = [
            {
                "article": a.id,
                "source": a.page.source,
                "outlet": a.page.outlet,
                "title": a.page.title,
            }
            for a in articles
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(render_table(result, articles))
    return result.all_supported


def render_table(result: Any, articles: list[Any]) -> str:
    """A plain-text table: number, verdict, sentence, and a short line of evidence."""
    import textwrap

    outlets = {a.id: a.page.outlet or a.page.source for a in articles}
    width = 72
    lines = [
        f"{'#':>3}  {'verdict':<12}  sentence / evidence",
        f"{'-' * 3}  {'-' * 12}  {'-' * width}",
    ]
    for n, s in enumerate(result.sentences, start=1):
        v = s.verdict
        wrapped = textwrap.wrap(s.text, width) or [""]
        lines.append(f"{n:>3}  {v.label:<12}  {wrapped[0]}")
        lines.extend(f"{'':>3}  {'':<12}  {w}" for w in wrapped[1:])
        if v.label != "supported":
            lines.append(f"{'':>3}  {'':<12}  why: {v.reason}")
        for e in v.evidence[:2]:
            src = f"{e.citation.sentence} ({outlets.get(e.citation.article, e.citation.article)})"
            snippet = textwrap.shorten(e.text, width - len(src) - 4, placeholder="...")
            lines.append(f"{'':>3}  {'':<12}  <- {src}: {snippet}")
    n_ok = sum(s.verdict.label == "supported" for s in result.sentences)
    lines.append("")
    lines.append(f"{n_ok} of {len(result.sentences)} sentences supported.")
    if result.discrepancies:
        lines.append("")
        lines.append("Reports differ:")
        for d in result.discrepancies:
            sides = "; ".join(
                f"{s.value} ({s.citation.sentence}, {outlets.get(s.citation.article, '')})"
                for s in d.sides
            )
            lines.append(f"  - {sides}")
    return "\n".join(lines)


def _run_pairs(path: str, model: Any = None) -> bool:
    from .verify import check_pair

    all_ok = True
    raw = _read(path)
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            doc, summary = item["doc"], item["summary"]
            if not isinstance(doc, str) or not isinstance(summary, str):
                raise TypeError("doc and summary must be strings")
        except (ValueError, KeyError, TypeError) as exc:
            raise click.ClickException(
                f"{path}, line {n}: not a pair {{id, doc, summary}}: {exc}"
            ) from exc
        r = check_pair(doc, summary, model)
        all_ok &= r.consistent
        out = {
            "id": item.get("id", n),
            "consistent": r.consistent,
            "score": round(r.score, 4),
            "sentences": [
                {
                    "text": s.text,
                    "verdict": s.verdict.label,
                    "score": round(s.verdict.score, 4),
                    "reason": s.verdict.reason,
                    **(
                        {"contradiction": round(s.verdict.contradiction, 4)}
                        if s.verdict.contradiction is not None
                        else {}
                    ),
                }
                for s in r.sentences
            ],
        }
        click.echo(json.dumps(out, ensure_ascii=False))
    return all_ok
