"""积翠镇专项行动台账核查工具。"""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """``__version__``, from the installed package's metadata: looked up when asked for, so that importing
    the package costs nothing (the ``jicui`` command handles Ctrl-C from its first moment, see ``__main__``)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jicui-compliance")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"
