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

Imports nothing of the package but, when it has to say why a write failed, the reasons of
:data:`.text.OS_REASONS`: every layer that writes files uses it.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LOCK_NAME = ".jicui.lock"
JOURNAL_NAME = ".jicui-commit"
TREE_JOURNAL_NAME = ".jicui-replace"
TMP_PREFIX = ".jicui-tmp-"

#: environment variable naming a stage (see :func:`checkpoint`) at which the process kills
#: itself with SIGKILL: how the kill tests stop a run at a chosen point, without timing
KILL_AT_ENV = "JICUI_TEST_KILL_AT"
#: ``<stage>:<signal>`` (``between-files:SIGTERM``): at that stage the process sends itself the signal
#: (see :func:`checkpoint`): how the tests stop a run with Ctrl-C or a termination at a chosen point
SIGNAL_AT_ENV = "JICUI_TEST_SIGNAL_AT"


class OutputError(Exception):
    """The outputs cannot be written; the message is one Chinese line naming the file."""


def checkpoint(stage: str) -> None:
    """A named point of a run; with ``JICUI_TEST_KILL_AT=<stage>`` the process dies here, with
    ``JICUI_TEST_SIGNAL_AT=<stage>:<signal>`` it receives the signal here (tests)."""
    if os.environ.get(KILL_AT_ENV) == stage:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    at, _, name = os.environ.get(SIGNAL_AT_ENV, "").partition(":")
    if at == stage and hasattr(signal, name):
        os.kill(os.getpid(), getattr(signal, name))


# -- stopped: Ctrl-C, and the signals that end a process ----------------------------------------
class Terminated(KeyboardInterrupt):
    """The process was told to end: SIGTERM (``kill``, a shutdown), SIGHUP (its terminal closed) or, on
    Windows, SIGBREAK (Ctrl-Break, or its console window closed).

    A kind of :class:`KeyboardInterrupt`, raised in the main thread as Ctrl-C's is, so that a run
    unwinds the same way whichever it was: temporary files and the lock removed, the previous set
    of outputs kept (or the new one, when the commit had begun: it is finished first)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


#: the signals that end the process as Ctrl-C does (:func:`stop_on_termination`), those the system has
def _terminating() -> tuple[int, ...]:
    return tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGBREAK") if hasattr(signal, name))


TERMINATING = _terminating()
_HANDLING = False  # whether this process installed the handlers (the command line does; a library user not)


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(signum)


def stop_on_termination() -> None:
    """Make the signals of :data:`TERMINATING` raise :class:`Terminated` (the command line's first act,
    before it imports anything heavy). Only in the main thread (where Python runs signal handlers).

    A stop that comes while Python runs a finalizer is kept until the run is over (:func:`_unraisable`)."""
    global _HANDLING
    try:
        for sig in TERMINATING:
            signal.signal(sig, _terminate)
    except ValueError:  # not the main thread: leave the process as it is
        return
    if not _HANDLING:
        sys.unraisablehook = _unraisable
    _HANDLING = True


#: a stop that came while Python ran a finalizer, swallowed there (:func:`_unraisable`), until :func:`finished`
_SWALLOWED: list[KeyboardInterrupt] = []


def _unraisable(info: Any) -> None:
    """The command line's :data:`sys.unraisablehook`. A stop (Ctrl-C, a signal of :data:`TERMINATING`) that comes
    while Python runs a finalizer (a weakref callback or ``__del__``: pandera's schema registry has one for every
    table it validated, run when a command's tables are freed, just after its last line is printed) cannot leave
    it: Python printed its traceback (“Exception ignored in …”) and went on as if no key had been pressed. It is
    kept instead, and the run ends stopped when it is over (:func:`finished`); anything else is reported as Python
    would."""
    if isinstance(info.exc_value, KeyboardInterrupt):
        _SWALLOWED.append(info.exc_value)
        return
    sys.__unraisablehook__(info)


def _ignore_stops() -> None:
    """Ignore Ctrl-C and the signals of :data:`TERMINATING` from now on (when the command line installed the
    handlers). Python keeps an ignored signal ignored while it shuts down (it resets only those it handles)."""
    if _HANDLING:
        try:
            for sig in (signal.SIGINT, *TERMINATING):
                signal.signal(sig, signal.SIG_IGN)
        except ValueError:
            pass


def finished() -> KeyboardInterrupt | None:
    """The run is over: its outputs written, everything printed, its exit code decided. Ctrl-C and the signals of
    :data:`TERMINATING` are ignored from now on, while the interpreter shuts down (:mod:`atexit`, the modules'
    clean-up): there is nothing left to stop, and a Ctrl-C there printed Python's traceback (“Exception ignored
    in …”) and exited 0, or a little later killed the process without a word; the process exits with the run's
    code (docs/guide/checking.md, 退出码). A stop that came before, but while a finalizer ran (:func:`_unraisable`),
    is returned: the run was stopped, with its line and exit code (:func:`stopped`)."""
    _ignore_stops()
    return _SWALLOWED[0] if _SWALLOWED else None


def stopped(exc: KeyboardInterrupt) -> tuple[str, int]:
    """The one line and the exit code of a run stopped by Ctrl-C (130) or by a signal of
    :data:`TERMINATING` (128 + the signal's number: 143 for SIGTERM, 129 for SIGHUP, 149 for Windows' SIGBREAK), as
    docs/guide/checking.md lists them. The process is ending: from now on these signals are ignored
    (when the command line installed the handlers), so that a second one cannot interrupt the last words."""
    _ignore_stops()
    if isinstance(exc, Terminated):
        if exc.signum == getattr(signal, "SIGBREAK", None):  # (by its number: Linux names 21 SIGTTIN)
            name, why = "SIGBREAK", "控制台窗口已关闭或按了 Ctrl-Break"
        else:
            name = signal.Signals(exc.signum).name
            why = "终端已关闭" if name == "SIGHUP" else "系统或其他程序要求结束"
        return f"已终止（{why}，收到信号 {name}）", 128 + exc.signum
    return "已按 Ctrl-C 中断", 130


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Ctrl-C and :data:`TERMINATING` wait until the block ends (a commit: a few renames), then take
    effect as they would have: a stop never leaves a set half-replaced in the folder."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    sigs = (signal.SIGINT, *TERMINATING)
    before = {sig: signal.getsignal(sig) for sig in sigs}
    for sig in sigs:
        signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in before.items():  # (None: a handler not set from Python, i.e. the default)
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if caught:  # now as it would have come: the handler raises, or the default ends the process
            signal.raise_signal(caught[0])


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
    from .text import os_reason  # the one table of reasons (text.OS_REASONS), shared with the reader

    return f"无法写入 {name}（{os_reason(exc, writing=True)}）；请换一个输出文件夹"


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


#: the folders whose new set of outputs this process has put in place, in order (the command line
#: tells a failure to print its summary from a failure to write the outputs)
COMMITTED: list[Path] = []


# -- the lock ------------------------------------------------------------------------------
_HELD: dict[Path, int] = {}  # folder → how many times this process holds its lock


def _identity(pid: int) -> str:
    """What tells the process ``pid`` apart from a later one given the same number: this boot of the
    system and the moment the process started (Linux: ``/proc``); "" where it cannot be told."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text("ascii").strip()
    except OSError:
        return ""
    started = _start_ticks(pid)
    return "" if started is None else f"{boot}/{started}"


def _start_ticks(pid: int) -> int | None:
    """When the process ``pid`` started, in clock ticks since boot (Linux: ``/proc/<pid>/stat`` field 22)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("ascii", errors="replace")
        return int(stat[stat.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _running(pid: int, identity: str, written: str = "") -> bool:
    """Whether the process that wrote a lock still runs: ``pid`` is alive and is that process, by the
    :func:`_identity` the lock recorded or, in a lock without one (an older version's), by starting no
    later than the lock was ``written`` (``%Y-%m-%d %H:%M:%S``, local time). A process that has since
    been given the same number (after a reboot, pid 1) does not count."""
    if not _alive(pid):
        return False
    if identity:
        now = _identity(pid)
        return not now or now == identity
    began = _start_time(pid)
    try:
        at = time.mktime(time.strptime(written, "%Y-%m-%d %H:%M:%S"))
    except ValueError:
        return True
    return began is None or began <= at + 2  # the lock is written after its process starts, to the second


def _start_time(pid: int) -> float | None:
    """When the process ``pid`` started (seconds since the epoch; Linux: ``/proc``), None where it cannot be told."""
    try:
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text("ascii").splitlines()
                    if line.startswith("btime "))
        ticks = _start_ticks(pid)
        return None if ticks is None else boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return _alive_on_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _alive_on_windows(pid: int) -> bool:
    """Whether the process ``pid`` runs (Windows: its exit code is still STILL_ACTIVE). A process that cannot be
    opened for another reason than its absence (access denied: another user's) counts as running."""
    import ctypes

    try:
        kernel32 = getattr(ctypes, "WinDLL")("kernel32", use_last_error=True)  # noqa: B009 (Windows only: mypy)
        last_error = getattr(ctypes, "get_last_error")  # noqa: B009
    except (AttributeError, OSError):
        return True
    try:
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    except (ctypes.ArgumentError, OverflowError):  # not a process number at all
        return False
    if not handle:
        return last_error() != 87  # ERROR_INVALID_PARAMETER: no process has that number
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8", errors="replace")
    except OSError:
        return None


def _holder(text: str | None) -> tuple[int, str, str, str] | None:
    """(process id, host, when it started, its :func:`_identity` or "") of a lock's writer, from the lock's text."""
    try:
        lines = (text or "").split("\n")
        pid, host, started = lines[:3]
        return int(pid), host, started, lines[3] if len(lines) > 3 else ""
    except ValueError:
        return None


def _create(lock: Path, text: str) -> bool:
    """Make ``lock`` holding ``text``, unless it exists (False): written beside it, then linked to its name, so that
    no other run ever reads it empty (and takes it for stale); where the file system has no hard links (FAT), made
    with O_EXCL and then written."""
    part = lock.with_name(f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}-lock")
    try:
        try:
            part.write_text(text, "utf-8")
        except OSError as exc:
            exc.filename = str(lock)  # what the user is told cannot be written
            raise
        try:
            os.link(part, lock)
            return True
        except FileExistsError:
            return False
        except OSError:
            pass
    finally:
        part.unlink(missing_ok=True)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    try:
        os.write(fd, text.encode("utf-8"))
    except OSError:
        os.close(fd)
        lock.unlink(missing_ok=True)
        raise
    os.close(fd)
    return True


def _take_over(lock: Path, seen: str | None) -> None:
    """Remove the stale lock whose text was ``seen``, and only it: another run may have judged the same lock stale
    and put its own in its place meanwhile. The lock is renamed to a name of this process's, read again, and when it
    is not the one judged, put back (unless a lock is there again, whose run then holds the folder)."""
    private = lock.with_name(f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}-stale")
    try:
        os.replace(lock, private)
    except FileNotFoundError:  # another run took it over first
        return
    try:
        text = _read(private)
        if text != seen:  # a run's fresh lock: back in its place
            try:
                os.link(private, lock)
            except FileExistsError:
                pass
            except OSError:  # no hard links (FAT)
                _create(lock, text or "")
    finally:
        private.unlink(missing_ok=True)


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
    me = f"{os.getpid()}\n{socket.gethostname()}\n{time.strftime('%Y-%m-%d %H:%M:%S')}\n{_identity(os.getpid())}\n"
    for _ in range(5):
        try:
            if _create(lock, me):
                break
            seen = _read(lock)
            holder = _holder(seen)
            if holder is not None and (holder[1] != socket.gethostname() or _running(holder[0], holder[3], holder[2])):
                raise OutputError(f"另一次运行（进程 {holder[0]}，{holder[2]} 开始）正在写入 {folder}；"
                                  "请等它结束，或换一个输出文件夹") from None
            _take_over(lock, seen)  # stale: its process has ended
        except OSError as exc:
            raise OutputError(describe_os_error(exc, lock)) from None
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
    """Finish a commit a killed run left half-done; remove the temporary files and folders of ended
    runs (their names begin with :data:`TMP_PREFIX` and the process id): those of another process that
    runs are kept (a run taking over a stale lock, or one that found the lock taken meanwhile)."""
    journal = folder / JOURNAL_NAME
    if journal.exists():
        for line in journal.read_text("utf-8").splitlines():
            tmp, _, final = line.partition("\t")
            if tmp and final and (folder / tmp).exists():
                os.replace(folder / tmp, folder / final)
        journal.unlink()
    if (folder / TREE_JOURNAL_NAME).exists():
        _finish_replace(folder)
    for f in folder.glob(TMP_PREFIX + "*"):
        pid = f.name[len(TMP_PREFIX):].partition("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        remove_quietly(f)


def remove_quietly(path: Path) -> None:
    """Delete a temporary file or folder, whatever is in it; quietly (it is only left behind)."""
    import shutil

    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


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
        with _signals_deferred():
            return self._commit()

    def _commit(self) -> list[Path]:
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
        COMMITTED.append(self.folder)
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


# -- a set of files and folders ---------------------------------------------------------------------
@contextmanager
def output_tree(folder: Path, owned: Callable[[str], bool]) -> Iterator[Path]:
    """Write a set of files and folders (the documents of a run, a folder for each kind) as a whole.

    The block writes the set into the temporary folder it is given (inside ``folder``). When it ends
    without an exception, the entries of ``folder`` that ``owned`` claims by name (the set an
    earlier run wrote) are replaced by the new set together: no file of the earlier set stays among
    the new one. Otherwise (an error, Ctrl-C, a termination) the temporary folder is removed and the
    earlier set stays as it was. Under ``folder``'s lock; a kill during the replacement is finished
    by the next run (:func:`_recover`). An ``OSError`` becomes :class:`OutputError`."""
    with locked(folder) as where:
        stage = where / f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            stage.mkdir()
            yield stage
            checkpoint("before-commit")
            _replace(where, stage, owned)
            COMMITTED.append(where)
        except OSError as exc:
            raise OutputError(describe_os_error(exc, where)) from exc
        except BaseException as exc:
            if type(exc).__name__ == "FileCreateError":
                raise OutputError(describe_os_error(exc, where)) from exc
            raise
        finally:
            if not (where / TREE_JOURNAL_NAME).exists():  # else a replacement to finish needs it
                remove_quietly(stage)


def _replace(folder: Path, stage: Path, owned: Callable[[str], bool]) -> None:
    """Put the entries of ``stage`` in place of ``folder``'s entries that ``owned`` claims. The journal
    first; then the earlier entries are moved aside (when one cannot be, as a document held open on
    Windows, they are all put back and nothing has changed), then the new ones moved in."""
    new = sorted(os.listdir(stage))
    old = sorted(n for n in os.listdir(folder) if not n.startswith(".") and (owned(n) or n in new))
    trash = stage.with_name(stage.name + "-old")
    journal = folder / TREE_JOURNAL_NAME
    with _signals_deferred():
        part = journal.with_name(f"{TMP_PREFIX}{os.getpid()}-journal")
        part.write_text(f"{stage.name}\n{trash.name}\n" + "".join(f"-\t{n}\n" for n in old)
                        + "".join(f"+\t{n}\n" for n in new), "utf-8")
        os.replace(part, journal)
        trash.mkdir()
        moved: list[str] = []
        for name in old:
            try:
                os.replace(folder / name, trash / name)
            except OSError as exc:
                for back in reversed(moved):
                    os.replace(trash / back, folder / back)
                journal.unlink()
                remove_quietly(trash)
                raise OutputError(f"无法替换 {folder / name}：{_held(exc)}；输出文件夹中仍是原有的文件") from exc
            moved.append(name)
        _finish_replace(folder)


def _held(exc: OSError) -> str:
    from .text import os_reason

    if exc.errno in (errno.EACCES, errno.EPERM, errno.EBUSY):
        return "其中的文件正被其他程序（如 Word、WPS、Excel）打开，或没有写入权限；请关闭后重试"
    return os_reason(exc, writing=True)


def _finish_replace(folder: Path) -> None:
    """Carry out the replacement the journal (:data:`TREE_JOURNAL_NAME`) describes, from wherever it
    stopped: each earlier entry not yet moved aside is, each new one still waiting is moved in."""
    journal = folder / TREE_JOURNAL_NAME
    lines = journal.read_text("utf-8").splitlines()
    stage, trash = folder / lines[0], folder / lines[1]
    old = [n for kind, _, n in (x.partition("\t") for x in lines[2:]) if kind == "-"]
    new = [n for kind, _, n in (x.partition("\t") for x in lines[2:]) if kind == "+"]
    trash.mkdir(exist_ok=True)
    for name in old:
        waiting = name not in new or os.path.lexists(stage / name)  # else the one in place is the new one
        if waiting and os.path.lexists(folder / name) and not os.path.lexists(trash / name):
            os.replace(folder / name, trash / name)
    for name in new:
        if os.path.lexists(stage / name):
            os.replace(stage / name, folder / name)
            checkpoint("mid-commit")
    journal.unlink()
    remove_quietly(trash)
    remove_quietly(stage)


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
