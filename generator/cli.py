"""Command line: ``stride build | check | serve | new | deploy``.

Content problems print ``path:line: message`` lines on stderr and exit 1; a traceback means a
bug in Stride itself.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from generator import __version__
from generator.errors import ContentError, ContentErrors, Diagnostic, display_path

# Commands that live in their own modules; each provides configure_parser(parser) and run(args).
_COMMAND_MODULES = {
    "serve": ("generator.serve", "build, serve on localhost and reload the browser on save"),
    "new": ("generator.new", "create a new post from the site's conventions"),
    "deploy": ("generator.deploy", "build and publish build/ to a gh-pages branch"),
}


def report(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], stream=None) -> None:
    stream = stream or sys.stderr
    for diagnostic in diagnostics:
        print(str(diagnostic), file=stream)


def errors_of(exc: BaseException) -> list[Diagnostic]:
    if isinstance(exc, ContentErrors):
        return list(exc.diagnostics)
    if isinstance(exc, ContentError):
        return [exc.diagnostic]
    return []


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", type=Path, default=Path("build"), help="output folder (default: build)")
    parser.add_argument("--base-url", dest="base_url", default=None,
                        help="public sub-path such as /my-repo/ (overrides base_url in site.yml)")
    parser.add_argument("--drafts", action="store_true", help="include drafts")


def output_refused(output: Path, source: Path) -> bool:
    """Print a usage error and return True for an --output inside the project's own files."""
    from generator.writer import overlaps_project

    if not overlaps_project(output, source):
        return False
    print(f"stride: error: --output {display_path(output)} is inside the project's own files "
          f"(content/, templates/, assets/ or the project folder itself); use --output build or a "
          f"folder outside them", file=sys.stderr)
    return True


def _build(args: argparse.Namespace, write: bool) -> int:
    output = args.output if args.output.is_absolute() else args.source / args.output
    if output_refused(output, args.source):
        return 2
    if write and _up_to_date(args.source, output, args.base_url, args.drafts):
        return 0
    from generator.build import BuildOptions, build_site

    options = BuildOptions(source=args.source, output=output, base_url=args.base_url,
                           drafts=args.drafts, write=write)
    try:
        result = build_site(options)
    except (ContentError, ContentErrors) as exc:
        problems = errors_of(exc)
        report(problems)
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{'build' if write else 'check'} failed: {len(problems)} {noun}; "
              f"{'the previous build/ is unchanged' if write else 'nothing written'}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{exc.filename or output}: cannot write the site: {exc.strerror}", file=sys.stderr)
        return 1
    report(result.warnings)
    if write:
        print(result.summary())
    else:
        print(f"checked {result.pages} pages and {result.data_files} data files: no problems"
              f" ({result.seconds:.2f} s)")
    return 0


def _up_to_date(source: Path, output: Path, base_url: str | None, drafts: bool) -> bool:
    """Report and return True when the last build's stamp shows nothing changed since."""
    from generator import stamp
    from generator.cache import DEFAULT_DIR

    started = time.perf_counter()
    record = stamp.up_to_date(source / DEFAULT_DIR, source, output, base_url, drafts)
    if record is None:
        return False
    for warning in record.warnings:
        print(warning, file=sys.stderr)
    print(f"up to date: {record.pages} pages, {record.data_files} data files, {record.bytes / 1e6:.2f} MB "
          f"unchanged since the last build (checked in {time.perf_counter() - started:.2f} s) -> "
          f"{display_path(output)}/")
    return True


def _requested_command(argv: list[str]) -> str | None:
    """The command word in ``argv`` (skipping global options and the value of --source)."""
    words = iter(argv)
    for word in words:
        if word == "--source":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``command`` ("build", "serve", ...) only that command's module is
    imported, so `stride build` does not pay for the dev server's imports (watchdog, http)."""
    parser = argparse.ArgumentParser(prog="stride", description="Build static sites with interactive explainers.")
    parser.add_argument("--version", action="version", version=f"stride {__version__}")
    parser.add_argument("--source", type=Path, default=Path("."),
                        help="project folder holding content/, templates/ and assets/ (default: .)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the site into build/")
    _add_build_options(build)
    build.set_defaults(run=lambda a: _build(a, write=True))
    check = commands.add_parser("check", help="validate all content without writing anything")
    _add_build_options(check)
    check.set_defaults(run=lambda a: _build(a, write=False))
    for name, (module_name, help_text) in _COMMAND_MODULES.items():
        if command in ("build", "check") or (command in _COMMAND_MODULES and command != name):
            commands.add_parser(name, help=help_text)  # listed, but never chosen in this run
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        sub = commands.add_parser(name, help=help_text)
        module.configure_parser(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = make_parser(_requested_command(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except (ContentError, ContentErrors) as exc:
        report(errors_of(exc))
        return 1
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
