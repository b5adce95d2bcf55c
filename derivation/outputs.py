"""Writing files without losing anything: checks before any work, safe writes after it.

The commands that write files (``python -m derivation -o FILE`` and
``scripts/build_site.py --output DIR``) follow one rule: they write a path only
if it is new, empty, or something they wrote themselves, and they delete nothing.
This module holds the checks and the one safe write they share.

- A path is looked at with :func:`os.lstat` before it is opened, so a FIFO or a
  device is refused without ever blocking on it, and a symbolic link (dangling
  or not) is refused rather than followed.  Files are opened with
  ``O_NOFOLLOW | O_NONBLOCK``.
- A file is written under a temporary name in its folder and then renamed over
  the target: a full disk or a read-only file system leaves the old file as it
  was and no stray file behind.  The target is checked again just before the
  rename.
- Every refusal is an :class:`OutputRefused` whose ``kind`` each command maps to
  its own exit code, and whose message is one line naming what was wrong and
  what was expected.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import sys
from collections.abc import Callable

__all__ = [
    "BAD_NAME", "BROKEN_PIPE", "IS_DIRECTORY", "NOT_A_FOLDER", "NOT_OURS", "NOT_WRITABLE",
    "NO_FOLDER", "SPECIAL", "SYMLINK", "OutputRefused", "check_file_target", "check_new_entry",
    "kind_of", "lstat_or_none", "open_subfolder", "path_refusal", "probe_writable", "read_head",
    "write_file", "write_stdout",
]  # fmt: skip

#: kinds of refusal (each command maps them to its exit codes)
IS_DIRECTORY = "is-directory"  # a file was expected
NOT_A_FOLDER = "not-a-folder"  # a folder was expected, a regular file is there
NO_FOLDER = "no-folder"  # the folder that would hold it is missing or not a folder
NOT_WRITABLE = "not-writable"  # permissions, read-only file system, disk full
NOT_OURS = "not-ours"  # something is there that the command did not write
SPECIAL = "special"  # a FIFO, a device or a socket
SYMLINK = "symlink"  # a symbolic link, dangling or not
BROKEN_PIPE = "broken-pipe"  # standard output was closed by its reader
BAD_NAME = "bad-name"  # a name or path longer than the file system allows

_NOFOLLOW = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class OutputRefused(Exception):
    """An output that cannot be written safely; ``kind`` says why, the message how to fix it.

    Parameters
    ----------
    kind : str
        One of the module's kinds (``NOT_OURS``, ``SYMLINK``, ...).
    message : str
        One line: what was wrong and what was expected.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def kind_of(mode: int) -> str:
    """Name what a file mode (from :func:`os.lstat`) is, for messages.

    Examples
    --------
    >>> import stat
    >>> kind_of(stat.S_IFIFO | 0o644)
    'a FIFO (named pipe)'
    """
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def lstat_or_none(path: str, dir_fd: int | None = None) -> os.stat_result | None:
    """:func:`os.lstat` of ``path``, or None if it is missing; any other failure is a refusal.

    Parameters
    ----------
    path : str
        The path (relative to ``dir_fd`` if given); a symbolic link is not followed.
    dir_fd : int, optional
        A folder's descriptor.

    Raises
    ------
    OutputRefused
        From :func:`path_refusal`, if ``path`` cannot be looked at (a link loop on
        its way, a name too long, a folder that cannot be searched, an I/O error).
    """
    try:
        return os.stat(path, dir_fd=dir_fd, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as err:
        raise path_refusal(err, path) from None


def path_refusal(err: OSError, shown: str) -> OutputRefused:
    """The one-line refusal for a path that cannot be looked at or reached.

    Parameters
    ----------
    err : OSError
        What the system call raised.
    shown : str
        The path, as the user should see it (shown with :func:`repr`, so that a
        newline in it keeps the message on one line).

    Returns
    -------
    OutputRefused
        ``BAD_NAME`` for a name or path too long (ENAMETOOLONG), ``NO_FOLDER`` for
        a missing folder, a file where a folder is expected or a symbolic-link loop
        on the way (ENOENT, ENOTDIR, ELOOP), ``NOT_WRITABLE`` for anything else
        (EACCES, EPERM, EIO, ...).

    Examples
    --------
    >>> import errno, os
    >>> path_refusal(OSError(errno.ELOOP, os.strerror(errno.ELOOP)), "loop/x.md").kind
    'no-folder'
    """
    reason = _reason(err)
    if err.errno == errno.ENAMETOOLONG:
        size = len(os.fsencode(shown))
        longest = max((len(os.fsencode(part)) for part in shown.split(os.sep)), default=0)
        return OutputRefused(
            BAD_NAME,
            f"{shown!r} cannot be a path here: {reason} (the path has {size} bytes, its longest "
            f"name {longest}); expected a shorter name",
        )
    if err.errno == errno.ELOOP:
        return OutputRefused(
            NO_FOLDER,
            f"cannot reach {shown!r}: {reason} (a symbolic link on its way points back to "
            "itself); give a path through real folders",
        )
    if err.errno in (errno.ENOENT, errno.ENOTDIR):
        return OutputRefused(NO_FOLDER, f"cannot reach {shown!r}: {reason}")
    if err.errno in (errno.EACCES, errno.EPERM):
        return OutputRefused(
            NOT_WRITABLE,
            f"cannot reach {shown!r}: {reason} (a folder on its way cannot be searched or "
            "read by this user)",
        )
    return OutputRefused(NOT_WRITABLE, f"cannot reach {shown!r}: {reason}")


_lstat = lstat_or_none


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


def _link_refusal(path: str, shown: str, dir_fd: int | None = None) -> OutputRefused:
    try:
        target = os.readlink(path, dir_fd=dir_fd)
    except OSError:
        target = "?"
    what = {None: "a symbolic link", errno.ELOOP: "a symbolic link that loops"}.get(
        _follow_error(path, dir_fd), "a dangling symbolic link"
    )
    return OutputRefused(
        SYMLINK,
        f"{shown!r} is {what} (to {target!r}); links are not followed, so that nothing they "
        "point to is overwritten: give the real path",
    )


def _follow_error(path: str, dir_fd: int | None) -> int | None:
    """The errno of following the link at ``path`` (ELOOP, ENOENT, ...); None if it leads on."""
    try:
        os.stat(path, dir_fd=dir_fd)
    except OSError as err:
        return err.errno
    return None


def probe_writable(folder: str, shown: str | None = None) -> None:
    """Check that a file can be created in ``folder`` by creating one and removing it.

    Parameters
    ----------
    folder : str
        An existing folder.
    shown : str, optional
        How to name the folder in the message (default: ``folder``).

    Raises
    ------
    OutputRefused
        ``NOT_WRITABLE`` if no file can be created there (permissions, a read-only
        file system, a pseudo-file system such as /proc).
    """
    probe = os.path.join(folder, f".write-probe-{secrets.token_hex(6)}")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600))
    except OSError as err:
        raise OutputRefused(
            NOT_WRITABLE, f"cannot create files in {shown or folder!r}: {_reason(err)}"
        ) from None
    os.unlink(probe)


def read_head(path: str, size: int = 512, dir_fd: int | None = None) -> bytes:
    """The first ``size`` bytes of a regular file, opened without following links or blocking.

    Raises
    ------
    OutputRefused
        ``SYMLINK`` or ``SPECIAL`` if ``path`` is not a regular file.
    OSError
        If it cannot be read.
    """
    info = _lstat(path, dir_fd)
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise _link_refusal(path, path, dir_fd)
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW, dir_fd=dir_fd)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OutputRefused(SPECIAL, f"{path!r} is {kind_of(mode)}, not a regular file")
        return os.read(fd, size)
    finally:
        os.close(fd)


def check_new_entry(folder: str, shown: str) -> None:
    """Check the folder that would hold a new file or folder: it exists, is a folder, is writable.

    Raises
    ------
    OutputRefused
        ``NO_FOLDER`` or ``NOT_WRITABLE``.
    """
    try:
        info = os.stat(folder)  # a link to a folder above the target is the user's choice
    except FileNotFoundError:
        raise OutputRefused(
            NO_FOLDER, f"the folder {folder!r} of {shown!r} does not exist; create it first"
        ) from None
    except NotADirectoryError:
        raise OutputRefused(
            NO_FOLDER, f"the folder {folder!r} of {shown!r} does not exist: part of it is a file"
        ) from None
    except OSError as err:
        raise path_refusal(err, folder) from None
    if not stat.S_ISDIR(info.st_mode):
        raise OutputRefused(
            NO_FOLDER, f"{folder!r}, the folder of {shown!r}, is {kind_of(info.st_mode)}"
        )
    probe_writable(folder)


def check_file_target(path: str, may_replace: Callable[[bytes], bool], owner: str) -> None:
    """Check, before any work, that a file can be written at ``path`` without losing anything.

    A new name in a writable folder is fine; so is an existing regular file that
    is empty or that ``may_replace`` recognises (from its first bytes) as one
    ``owner`` wrote.  Nothing is left behind by the check.

    Parameters
    ----------
    path : str
        The file to write.
    may_replace : callable
        ``may_replace(head) -> bool``, given the first 512 bytes of an existing file.
    owner : str
        The command, for messages (e.g. ``"python -m derivation"``).

    Raises
    ------
    OutputRefused
        ``IS_DIRECTORY``, ``NO_FOLDER``, ``NOT_WRITABLE``, ``NOT_OURS``, ``SPECIAL``
        or ``SYMLINK``.
    """
    info = _lstat(path)
    if info is None:
        check_new_entry(os.path.dirname(path) or ".", path)
        return
    if stat.S_ISLNK(info.st_mode):
        raise _link_refusal(path, path)
    if stat.S_ISDIR(info.st_mode):
        raise OutputRefused(
            IS_DIRECTORY,
            f"{path!r} is a directory; expected a file name, such as "
            f"{os.path.join(path, 'derivation.md')!r}",
        )
    if not stat.S_ISREG(info.st_mode):
        raise OutputRefused(
            SPECIAL,
            f"{path!r} is {kind_of(info.st_mode)}, not a regular file; {owner} writes only "
            "regular files",
        )
    try:
        os.close(os.open(path, os.O_WRONLY | _NOFOLLOW))
    except OSError as err:
        raise OutputRefused(NOT_WRITABLE, f"cannot write {path!r}: {_reason(err)}") from None
    probe_writable(os.path.dirname(path) or ".")  # the new file is renamed over it
    try:
        head = read_head(path)
    except OSError as err:
        raise OutputRefused(
            NOT_OURS, f"cannot read {path!r} to see whether {owner} wrote it: {_reason(err)}"
        ) from None
    if head and not may_replace(head):
        raise OutputRefused(
            NOT_OURS,
            f"{path!r} exists and was not written by {owner}; it is left as it is: give a new "
            "name, or remove the file yourself",
        )


def open_subfolder(dir_fd: int, name: str, shown: str) -> int:
    """Open (creating it if missing) the folder ``name`` inside ``dir_fd``, never through a link.

    Returns
    -------
    int
        A file descriptor of the folder; the caller closes it.

    Raises
    ------
    OutputRefused
        ``SYMLINK`` if it is a symbolic link, ``NOT_OURS`` if something else is in
        the way, ``NOT_WRITABLE`` if it cannot be created.
    """
    try:
        os.mkdir(name, 0o777, dir_fd=dir_fd)
    except FileExistsError:
        pass
    except OSError as err:
        raise OutputRefused(NOT_WRITABLE, f"cannot create {shown!r}: {_reason(err)}") from None
    info = _lstat(name, dir_fd)
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise _link_refusal(name, shown, dir_fd)
    if info is None or not stat.S_ISDIR(info.st_mode):
        what = kind_of(info.st_mode) if info else "missing"
        raise OutputRefused(NOT_OURS, f"{shown!r} is {what} where a folder is expected")
    try:
        return os.open(name, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW, dir_fd=dir_fd)
    except OSError as err:
        raise OutputRefused(NOT_WRITABLE, f"cannot open {shown!r}: {_reason(err)}") from None


def write_file(
    path: str,
    data: bytes,
    may_replace: Callable[[bytes], bool],
    *,
    dir_fd: int | None = None,
    shown: str | None = None,
    owner: str = "this command",
) -> None:
    """Write ``data`` to ``path`` atomically, never through a link, never over what is not ours.

    The data goes to a temporary file in the same folder, which is then renamed
    over ``path``; on any failure the temporary file is removed and ``path`` is as
    it was.  An existing ``path`` keeps its permission bits.

    Parameters
    ----------
    path : str
        The file (relative to ``dir_fd`` if given).
    data : bytes
        Its new content.
    may_replace : callable
        ``may_replace(head) -> bool`` for an existing non-empty regular file.
    dir_fd : int, optional
        A folder's descriptor that ``path`` is relative to.
    shown : str, optional
        How to name the file in messages (default: ``path``).
    owner : str
        The command, for messages.

    Raises
    ------
    OutputRefused
        If the target is not a regular file, is not ours, or cannot be written.
    """
    shown = shown or path
    folder, name = os.path.split(path)
    if dir_fd is None and folder:  # relative to the folder: a long path stays within PATH_MAX
        try:
            dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as err:
            raise OutputRefused(NOT_WRITABLE, f"cannot write {shown!r}: {_reason(err)}") from None
        try:
            return write_file(name, data, may_replace, dir_fd=dir_fd, shown=shown, owner=owner)
        finally:
            os.close(dir_fd)
    temp = _temp_name(name)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666, dir_fd=dir_fd)
    except OSError as err:
        raise OutputRefused(NOT_WRITABLE, f"cannot write {shown!r}: {_reason(err)}") from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            info = _lstat(path, dir_fd)
            if info is not None:
                if stat.S_ISLNK(info.st_mode):
                    raise _link_refusal(path, shown, dir_fd)
                if not stat.S_ISREG(info.st_mode):
                    raise OutputRefused(
                        SPECIAL if not stat.S_ISDIR(info.st_mode) else IS_DIRECTORY,
                        f"{shown!r} is {kind_of(info.st_mode)}, not a regular file",
                    )
                head = read_head(path, dir_fd=dir_fd)
                if head and not may_replace(head):
                    raise OutputRefused(
                        NOT_OURS, f"{shown!r} appeared meanwhile and was not written by {owner}"
                    )
                os.fchmod(fd, stat.S_IMODE(info.st_mode))
        finally:
            os.close(fd)
        os.replace(temp, path, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException as err:
        try:
            os.unlink(temp, dir_fd=dir_fd)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise OutputRefused(NOT_WRITABLE, f"cannot write {shown!r}: {_reason(err)}") from None
        raise


def _temp_name(name: str) -> str:
    """A fresh hidden name next to ``name``, within the usual 255-byte limit of a name."""
    token = secrets.token_hex(6)
    temp = f".{name}.{token}.tmp"
    return temp if len(os.fsencode(temp)) <= 255 else f".softmax-output.{token}.tmp"


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # e.g. a captured stream has no fileno
        pass


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output and flush it.

    Raises
    ------
    OutputRefused
        ``BROKEN_PIPE`` (with an empty message: a well-behaved tool stops quietly)
        if the reader closed the pipe; ``NOT_WRITABLE`` if the write failed
        otherwise (e.g. ``> /dev/full``).  Either way standard output is then
        pointed at /dev/null, so that nothing more fails at exit.
    """
    if sys.stdout is None:  # started with standard output closed (``>&-``)
        raise OutputRefused(NOT_WRITABLE, "cannot write to standard output: it is closed")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise OutputRefused(BROKEN_PIPE, "") from None
    except OSError as err:
        _silence_stdout()
        raise OutputRefused(
            NOT_WRITABLE, f"cannot write to standard output: {_reason(err)}"
        ) from None
