"""Outputs that are never half-written: one run's files are written as a set into a folder.

Each file of the set is written to a temporary file beside its final name (same folder, so
the rename is atomic), and only when all of them are complete are they renamed into place
together (:class:`OutputSet`). A lock file (:data:`LOCK_NAME`) makes a second run into the
same folder wait for nothing and stop at once with one line (:class:`OutputError`), so two
runs never interleave. A run killed at any point leaves the previous complete set (killed
before the commit) or the new one: the commit writes a journal first, and the next run into
the folder finishes a commit that a kill interrupted, before anything else. Errors of the
file system (an existing file where the folder should be, no permission, a full disk, a file
held open by Excel/WPS on Windows) become :class:`OutputError`, whose text is the one line
the command prints (exit code 2).

Imports nothing of the package: every layer that writes files uses it.
"""

from __future__ import annotations

import errno
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".jicui.lock"
JOURNAL_NAME = ".jicui-commit"
TMP_PREFIX = ".jicui-tmp-"

#: environment variable naming a stage (see :func:`checkpoint`) at which the process kills
#: itself with SIGKILL: how the kill tests stop a run at a chosen point, without timing
KILL_AT_ENV = "JICUI_TEST_KILL_AT"


class OutputError(Exception):
    """The outputs cannot be written; the message is one Chinese line naming the file."""


def checkpoint(stage: str) -> None:
    """A named point of a run; with ``JICUI_TEST_KILL_AT=<stage>`` the process dies here (tests)."""
    if os.environ.get(KILL_AT_ENV) == stage:
        import signal

        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def describe_os_error(exc: BaseException, target: Path | str) -> str:
    """One Chinese line for a failure to write ``target``."""
    if type(exc).__name__ == "FileCreateError" and isinstance(exc.__context__, OSError):  # xlsxwriter
        exc = exc.__context__
    code = getattr(exc, "errno", None)
    name = getattr(exc, "filename", None) or target
    if code == errno.ENOSPC or code == getattr(errno, "EDQUOT", -1):
        return f"磁盘空间不足，无法写入 {name}；请清理磁盘或换一个输出文件夹（原有结果未改动）"
    if code in (errno.EROFS,):
        return f"输出位置只读，无法写入 {name}；请换一个输出文件夹"
    if code in (errno.EACCES, errno.EPERM) or isinstance(exc, PermissionError):
        return (f"无法写入 {name}：没有写入权限，或该文件正被其他程序（如 Excel、WPS）打开；"
                "请关闭该文件或换一个输出文件夹后重试")
    if code in (errno.ENOTDIR, errno.EEXIST) or isinstance(exc, (NotADirectoryError, FileExistsError)):
        blocking = _file_on_the_way(Path(name))
        if blocking is not None and blocking != Path(name):
            return f"无法建立输出文件夹 {name}：路径中的 {blocking} 是一个文件，不是文件夹；请换一个输出位置"
        return f"--out 应为文件夹，但 {name} 是一个已存在的文件；请换一个输出位置"
    if code == errno.ENAMETOOLONG:
        return f"输出路径过长，无法写入 {name}"
    # the operating system's own words are English (and differ by system): say it in Chinese, with its number
    reason = _OS_REASONS.get(code, f"系统错误，错误码 {code}") if code is not None else "系统错误"
    return f"无法写入 {name}（{reason}）；请换一个输出文件夹"


#: what the remaining failures to write mean, for the one line a user reads (:func:`describe_os_error`)
_OS_REASONS = {
    errno.ENOENT: "该位置不存在，也无法在那里建立文件夹",
    errno.EISDIR: "同名的文件夹已存在",
    errno.EBUSY: "文件或设备正忙",
    errno.EIO: "磁盘读写出错",
    errno.EINVAL: "文件名或位置无效",
    errno.EXDEV: "不能跨磁盘移动文件",
    errno.EMFILE: "同时打开的文件过多",
    errno.ENODEV: "该位置不是可写的磁盘",
}


def _file_on_the_way(path: Path) -> Path | None:
    """The first part of ``path`` that exists and is a file (so that no folder can be made below it)."""
    for part in reversed([path, *path.parents]):
        if part.exists() and not part.is_dir():
            return part
    return None


def prepare_folder(folder: Path) -> Path:
    """Create ``folder`` (and its parents) or raise :class:`OutputError` saying why not."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"--out 应为文件夹，但 {folder} 是一个已存在的文件；请换一个输出位置")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(describe_os_error(exc, folder)) from None
    return folder


# -- the lock ------------------------------------------------------------------------------
_HELD: dict[Path, int] = {}  # folder → how many times this process holds its lock


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # cannot tell cheaply: a lock of another process counts as held
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _holder(lock: Path) -> tuple[int, str, str] | None:
    try:
        pid, host, started = lock.read_text("utf-8").split("\n")[:3]
        return int(pid), host, started
    except (OSError, ValueError):
        return None


@contextmanager
def locked(folder: Path) -> Iterator[Path]:
    """Hold ``folder``'s lock file meanwhile (re-entrant within a process).

    A lock left by a process that no longer runs (on this machine) is taken over; a lock held
    by a running one is :class:`OutputError`. On entry, a commit that a killed run left
    half-done is finished (:func:`_recover`).
    """
    created = not Path(folder).exists()
    folder = prepare_folder(folder).resolve()
    if _HELD.get(folder):
        _HELD[folder] += 1
        try:
            yield folder
        finally:
            _HELD[folder] -= 1
        return
    lock = folder / LOCK_NAME
    me = f"{os.getpid()}\n{socket.gethostname()}\n{time.strftime('%Y-%m-%d %H:%M:%S')}\n"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(lock)
            if holder is not None and (holder[1] != socket.gethostname() or _alive(holder[0])):
                raise OutputError(f"另一次运行（进程 {holder[0]}，{holder[2]} 开始）正在写入 {folder}；"
                                  "请等它结束，或换一个输出文件夹") from None
            try:  # stale: its process has ended
                lock.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise OutputError(describe_os_error(exc, lock)) from None
            continue
        except OSError as exc:
            raise OutputError(describe_os_error(exc, lock)) from None
        try:
            os.write(fd, me.encode("utf-8"))
        except OSError as exc:
            os.close(fd)
            lock.unlink(missing_ok=True)
            raise OutputError(describe_os_error(exc, lock)) from None
        os.close(fd)
        break
    else:
        raise OutputError(f"无法取得输出文件夹 {folder} 的锁文件 {LOCK_NAME}")
    _HELD[folder] = 1
    try:
        _recover(folder)
        yield folder
    finally:
        _HELD.pop(folder, None)
        try:
            lock.unlink()
            if created:
                folder.rmdir()  # a run that wrote nothing leaves no empty folder behind
        except OSError:
            pass


def _recover(folder: Path) -> None:
    """Finish a commit a killed run left half-done; remove temporary files of ended runs."""
    journal = folder / JOURNAL_NAME
    if journal.exists():
        for line in journal.read_text("utf-8").splitlines():
            tmp, _, final = line.partition("\t")
            if tmp and final and (folder / tmp).exists():
                os.replace(folder / tmp, folder / final)
        journal.unlink()
    for f in folder.glob(TMP_PREFIX + "*"):
        try:
            pid = int(f.name[len(TMP_PREFIX):].split("-", 1)[0])
        except ValueError:
            continue
        if not _alive(pid):
            f.unlink(missing_ok=True)


# -- the set of outputs -------------------------------------------------------------------------
class OutputSet:
    """The files of one run: :meth:`path` gives where to write each, :meth:`commit` puts them in place."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._names: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        """The temporary file to write for the final file ``name`` (in the same folder)."""
        tmp = self.folder / f"{TMP_PREFIX}{os.getpid()}-{len(self._names)}-{name}"
        self._names[name] = tmp
        return tmp

    def final(self, name: str) -> Path:
        return self.folder / name

    def commit(self) -> list[Path]:
        """Rename every written file into place: the journal first, so that a kill meanwhile is
        finished by the next run (see :func:`_recover`)."""
        checkpoint("before-commit")
        journal = self.folder / JOURNAL_NAME
        journal.write_text("".join(f"{t.name}\t{n}\n" for n, t in self._names.items()), "utf-8")
        out = []
        for name, tmp in self._names.items():
            final = self.folder / name
            try:
                os.replace(tmp, final)
            except PermissionError as exc:
                journal.unlink(missing_ok=True)
                raise OutputError(f"无法写入 {final}：该文件正被其他程序（如 Excel、WPS）打开；请关闭它后重试") from exc
            out.append(final)
            checkpoint("mid-commit")
        journal.unlink()
        self._names.clear()
        return out

    def discard(self) -> None:
        for tmp in self._names.values():
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
        self._names.clear()


@contextmanager
def output_set(folder: Path) -> Iterator[OutputSet]:
    """Write a set of files into ``folder`` under its lock; committed when the block ends
    without an exception, else the temporary files are removed and the previous set stays.
    An ``OSError`` inside the block becomes :class:`OutputError`."""
    with locked(folder) as where:
        outs = OutputSet(where)
        try:
            yield outs
            outs.commit()
        except OSError as exc:
            outs.discard()
            raise OutputError(describe_os_error(exc, where)) from exc
        except BaseException as exc:
            outs.discard()
            if type(exc).__name__ == "FileCreateError":
                raise OutputError(describe_os_error(exc, where)) from exc
            raise


def temporary_folder(parent: Path, prefix: str) -> Path:
    """A new folder ``parent/<prefix><random>`` to write a set of files into before it is renamed into place.
    Made as ``os.mkdir`` makes folders (the umask applies: 755 as a rule), not 700 as ``tempfile.mkdtemp``
    does, which the renamed folder would keep: others sharing an office folder could not open it."""
    import secrets

    for _ in range(100):
        folder = Path(parent) / f"{prefix}{secrets.token_hex(4)}"
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(Path(parent) / prefix))


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it and a rename
    (for a single file outside an :class:`OutputSet`; the caller holds the folder's lock)."""
    path = Path(path)
    tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        tmp.write_text(text, encoding="utf-8", errors="replace")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(describe_os_error(exc, path)) from exc
    return path


def safe_file_name(text: str) -> str:
    """A name usable as one file name on every platform: no path separators, control or reserved
    characters (a village named ``../x`` stays inside the output folder)."""
    import re

    name = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]', "_", text).strip(" .")
    return name or "_"
