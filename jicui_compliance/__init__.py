"""积翠镇专项行动台账核查工具。"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("jicui-compliance")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
