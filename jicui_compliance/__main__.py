"""``python -m jicui_compliance`` and the ``jicui`` command (pyproject's entry point).

Ctrl-C and the signals that end a process (SIGTERM, SIGHUP) are handled from the first moment, before
the command line's libraries load (typer, rich, then pandas: about a second): whenever it comes, a stop
ends with one line and its exit code (docs/guide/checking.md), never a traceback; once the run is over, while
the interpreter shuts down, it is ignored (:func:`jicui_compliance.writing.finished`). A worker process of
the reader imports this module (spawn) and does nothing."""

import sys


def main() -> None:
    """The ``jicui`` command: :func:`jicui_compliance.cli.main`, once the signals are handled."""
    try:
        from .writing import checkpoint, stop_on_termination

        stop_on_termination()
        checkpoint("startup")
        from .cli import main as command  # the heavy imports

        command()
    except KeyboardInterrupt as exc:  # before the command line could catch it
        from .writing import stopped

        line, code = stopped(exc)
        try:
            print(line, file=sys.stderr)
        except OSError:  # no terminal any more (SIGHUP): the exit code says it
            pass
        sys.exit(code)


if __name__ == "__main__":  # not when a worker process imports the main module
    main()
