"""One writer per register: a lock file beside it, and a warning for network shares.

``office.nmdesk`` is guarded by ``office.nmdesk.lock``. The instance that holds
it may write; a second instance of the app or the CLI opens the register
read-only and can tell the clerk who holds it (host, process, since when).

On POSIX the lock is an ``flock`` on the lock file, which the kernel drops when
the holder dies, so a crashed instance never leaves a lock behind that blocks
the next one; the pid, host and time written into the file are for the message
only. Where ``flock`` is missing (Windows) the file is created exclusively and a
lock whose process is no longer alive on this host is treated as stale.
Within one process the lock is shared, so a worker thread can open its own
connection to the register the window already holds.

SQLite's own locking (with a busy timeout) stays underneath as the last line:
even two writers could not corrupt the file, but one of them could wait or fail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

NETWORK_FILESYSTEMS = {
    "cifs",
    "smb3",
    "smbfs",
    "smb",
    "nfs",
    "nfs4",
    "afs",
    "9p",
    "fuse.sshfs",
    "ncpfs",
    "davfs",
    "fuse.davfs2",
    "glusterfs",
    "fuse.glusterfs",
    "ceph",
}


@dataclass(frozen=True)
class LockInfo:
    """Who holds a register: written into the lock file as JSON."""

    pid: int
    host: str
    since: str
    user: str = ""
    note: str = ""  # why the register is read-only when no other instance holds it

    def describe(self) -> str:
        return f"主机 {self.host}，进程 {self.pid}，自 {self.since.replace('T', ' ')} 起"

    def read_only_message(self, register_name: str) -> str:
        if self.note:
            return f"备案库 {register_name}：{self.note}，当前为只读"
        if self.host not in ("?", socket.gethostname()):
            return (
                f"备案库 {register_name} 正由另一台电脑上的 nmdesk 使用（{self.describe()}），"
                f"当前为只读。如果 {self.host} 上的 nmdesk 已经关闭（那台电脑死机或断网时"
                "占用不会自动解除），请用 文件 → 解除占用… 或 python -m nmdesk unlock --force 接管"
            )
        return f"备案库 {register_name} 正由另一个 nmdesk 使用（{self.describe()}），当前为只读"


def cannot_write(note: str) -> LockInfo:
    """A holder standing for a reason other than another instance (a read-only folder …)."""
    return LockInfo(
        0, socket.gethostname(), dt.datetime.now().isoformat(timespec="seconds"), "", note
    )


def lock_path(register_path: Path) -> Path:
    return register_path.with_name(register_path.name + ".lock")


def _this_info() -> LockInfo:
    try:
        user = os.getlogin()
    except OSError:
        user = os.environ.get("USER", "") or os.environ.get("USERNAME", "")
    return LockInfo(
        os.getpid(), socket.gethostname(), dt.datetime.now().isoformat(timespec="seconds"), user
    )


def read_lock(register_path: Path) -> LockInfo | None:
    """The holder written in the lock file, or None when there is none or it is unreadable."""
    try:
        data = json.loads(lock_path(register_path).read_text(encoding="utf-8"))
        return LockInfo(int(data["pid"]), str(data["host"]), str(data["since"]), str(data["user"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists on this machine."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # type: ignore[attr-defined]
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(info: LockInfo) -> bool:
    """A lock left by an instance on this host whose process has gone."""
    return info.host == socket.gethostname() and not pid_alive(info.pid)


class RegisterLock:
    """The writer lock on one register, held by this process until ``release``."""

    def __init__(self, register_path: Path, fd: int, stale: LockInfo | None) -> None:
        self.register_path = register_path
        self.path = lock_path(register_path)
        self._fd = fd
        self.recovered_stale = stale
        self._count = 1

    def release(self) -> None:
        with _held_lock:
            self._count -= 1
            if self._count > 0:
                return
            _held.pop(_key(self.register_path), None)
            with contextlib.suppress(OSError):
                self.path.unlink()
            with contextlib.suppress(OSError):
                os.close(self._fd)


_held: dict[str, RegisterLock] = {}
_held_lock = threading.Lock()


def held_registers() -> list[Path]:
    """The registers this process holds the writer lock of."""
    with _held_lock:
        return [lock.register_path for lock in _held.values()]


def _key(register_path: Path) -> str:
    return os.path.normcase(str(register_path.resolve()))


def has_flock() -> bool:
    """Whether this system has ``flock`` (POSIX) or needs the exclusive-create lock
    (Windows). Asked at each ``acquire``, so tests can run the Windows branch here."""
    return fcntl is not None


def acquire(register_path: Path) -> tuple[RegisterLock | None, LockInfo | None]:
    """Take the writer lock; returns ``(lock, None)`` or ``(None, holder)`` when another holds it."""
    with _held_lock:
        mine = _held.get(_key(register_path))
        if mine is not None:
            mine._count += 1
            return mine, None
        try:
            if has_flock():
                result = _acquire_flock(register_path)
            else:
                result = _acquire_exclusive(register_path)
        except OSError as exc:  # a read-only folder or medium: nobody can write here
            from nmdesk.store.sqlite_errors import os_reason

            return None, cannot_write(f"无法在所在文件夹创建锁文件（{os_reason(exc)}），不能修改")
        if result[0] is not None:
            _held[_key(register_path)] = result[0]
        return result


def force_unlock(register_path: Path) -> LockInfo | None:
    """Remove a lock left by an nmdesk that is not running here (another host, a crash);
    returns who held it. A live nmdesk on this computer keeps its lock: that raises."""
    from nmdesk.errors import RegisterError

    path = lock_path(register_path)
    if not path.exists():
        return None
    holder = read_lock(register_path)
    with _held_lock:
        if _key(register_path) in _held:
            raise RegisterError("本程序自己正在使用该备案库，无需解除占用")
        if fcntl is not None:
            fd = os.open(path, os.O_RDWR)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    raise RegisterError(
                        f"备案库 {register_path.name} 正由本机上运行中的 nmdesk 使用"
                        f"（{holder.describe() if holder else '进程未知'}），不能解除占用。"
                        "请先关闭那个 nmdesk"
                    ) from None
                path.unlink()
            finally:
                os.close(fd)
        else:  # pragma: no cover - Windows
            if holder is not None and holder.host == socket.gethostname() and pid_alive(holder.pid):
                raise RegisterError(
                    f"备案库 {register_path.name} 正由本机进程 {holder.pid} 使用，不能解除占用"
                )
            path.unlink()
    return holder


def _write_info(fd: int) -> None:
    info = _this_info()
    text = json.dumps(info.__dict__, ensure_ascii=False).encode("utf-8")
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text)
    os.fsync(fd)


def _acquire_flock(register_path: Path) -> tuple[RegisterLock | None, LockInfo | None]:
    path = lock_path(register_path)
    for _attempt in range(20):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            holder = read_lock(register_path)
            if holder is None:  # the holder has not written its details yet, or just left
                holder = LockInfo(0, "?", "?")
            return None, holder
        try:
            same_file = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same_file = False
        if not same_file:  # the previous holder removed the file while we opened it
            os.close(fd)
            continue
        previous = read_lock(register_path)
        if previous is not None and previous.host != socket.gethostname():
            # flock does not always reach across hosts (SMB); trust the other host's note
            os.close(fd)
            return None, previous
        _write_info(fd)
        stale = previous if previous is not None and previous.pid != os.getpid() else None
        return RegisterLock(register_path, fd, stale), None
    return None, read_lock(register_path) or LockInfo(0, "?", "?")


def _acquire_exclusive(register_path: Path) -> tuple[RegisterLock | None, LockInfo | None]:
    path = lock_path(register_path)
    stale: LockInfo | None = None
    for _attempt in range(3):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            holder = read_lock(register_path)
            if holder is not None and not is_stale(holder):
                return None, holder
            stale = holder
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        _write_info(fd)
        return RegisterLock(register_path, fd, stale), None
    return None, read_lock(register_path) or LockInfo(0, "?", "?")


# -- network shares -------------------------------------------------------------------


def filesystem_type(path: Path, mounts_text: str | None = None) -> str | None:
    """The file system type holding ``path`` (Linux: from /proc/mounts), or None if unknown."""
    if sys.platform == "win32":  # pragma: no cover
        return _windows_drive_type(path)
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = str(path)
    best, best_type = "", None
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        prefix = mount_point.rstrip("/") + "/"
        if (target == mount_point or target.startswith(prefix) or mount_point == "/") and len(
            mount_point
        ) > len(best):
            best, best_type = mount_point, fields[2]
    return best_type


def _windows_drive_type(path: Path) -> str | None:  # pragma: no cover
    text = str(path.resolve())
    if text.startswith("\\\\"):
        return "smb"
    import ctypes

    drive_remote = 4
    if ctypes.windll.kernel32.GetDriveTypeW(text[:3]) == drive_remote:  # type: ignore[attr-defined]
        return "smb"
    return None


def network_share_warning(path: Path, mounts_text: str | None = None) -> str | None:
    """A warning for the UI when the register lives on SMB/NFS, where WAL is unsafe."""
    kind = filesystem_type(path if mounts_text is not None else path.resolve(), mounts_text)
    if kind is None or kind.lower() not in NETWORK_FILESYSTEMS:
        return None
    return (
        f"备案库 {path.name} 位于网络共享（{kind}）上。SQLite 在网络共享上不能可靠加锁，"
        "多台电脑同时打开可能损坏数据。请把备案库放在本机磁盘上，需要共享时用“备份”导出副本"
    )
