"""Confinement of a query worker process, applied by the worker to itself once it has started.

Defence in depth behind the query screen (:mod:`.screen`): whatever text reaches the engine, a
query worker cannot open a network connection, cannot read beyond what it needs, writes no
file and cannot grow past a memory cap. Three layers, each optional where the platform lacks it
(:class:`Confinement` says what was applied; the pool warns with W035 when a layer is missing):

* **network** (Linux, x86_64 and aarch64): a seccomp filter (``prctl(PR_SET_NO_NEW_PRIVS)``,
  then ``PR_SET_SECCOMP`` with a small BPF program built here with :mod:`ctypes`) makes
  ``socket()`` fail with ``EPERM`` for every address family but ``AF_UNIX``, and ``connect()``
  and ``io_uring_setup()`` (io_uring can open sockets itself) fail with ``EPERM`` always.
  System calls of any other ABI (i386 compatibility, x32) fail with ``EPERM`` too, so the
  numbers checked are the only ones that can be used. No connection can be made, whatever the
  engine is asked to do (a ``SERVICE`` clause, a DNS lookup).
* **files** (Linux 5.13+): a Landlock ruleset that handles every file access right the kernel
  knows, granting only reading, and only beneath the given folders (the store snapshots and
  the Python installation the worker imports from). With Landlock ABI 4+ TCP connect and bind
  are refused as well (a second layer under seccomp); with ABI 6+ the worker cannot signal
  processes outside its domain or reach abstract Unix sockets.
* **memory**: ``RLIMIT_AS`` caps the worker's address space; an allocation beyond it fails
  and the worker dies (pyoxigraph aborts on allocation failure), which the pool reports as E100.

macOS and Windows get the memory cap only where ``resource.RLIMIT_AS`` is enforced (macOS
accepts but does not enforce it): no network or file confinement. The screen is then the only
guard; docs/security.md says so.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

__all__ = ["Confinement", "confine", "seccomp_program", "python_paths"]

# --- seccomp ------------------------------------------------------------------------------------

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_EPERM = _SECCOMP_RET_ERRNO | errno.EPERM
# BPF opcodes (linux/bpf_common.h)
_LD_W_ABS = 0x00 | 0x00 | 0x20
_JEQ_K = 0x05 | 0x10 | 0x00
_JGE_K = 0x05 | 0x30 | 0x00
_RET_K = 0x06 | 0x00
_AF_UNIX = 1
_X32_SYSCALL_BIT = 0x40000000

#: Audit architecture -> (socket, connect, io_uring_setup) system call numbers.
_ARCHES = {
    "x86_64": (0xC000003E, (41, 42, 425)),
    "aarch64": (0xC00000B7, (198, 203, 425)),
}
_ARCH_ALIASES = {"amd64": "x86_64", "arm64": "aarch64"}


def _machine() -> str:
    machine = platform.machine().lower()
    return _ARCH_ALIASES.get(machine, machine)


def seccomp_program(machine: str | None = None) -> bytes:
    """The BPF program (``struct sock_filter[]``) of the network filter for ``machine``.

    ::

        arch != native          -> EPERM   (i386 compatibility calls and the like)
        nr >= X32 bit (x86_64)  -> EPERM
        nr == connect           -> EPERM
        nr == io_uring_setup    -> EPERM
        nr == socket, family == AF_UNIX -> allow; other families -> EPERM
        anything else           -> allow
    """
    machine = machine or _machine()
    if machine not in _ARCHES:
        raise OSError(errno.ENOSYS, f"no seccomp filter for {machine}")
    audit_arch, (sys_socket, sys_connect, sys_io_uring) = _ARCHES[machine]
    arg0_low = 16 if sys.byteorder == "little" else 20  # seccomp_data.args[0], its low 32 bits
    # (opcode, k, jump-if-true label, jump-if-false label); labels are resolved below.
    code: list[tuple[int, int, str | None, str | None]] = [
        (_LD_W_ABS, 4, None, None),                      # seccomp_data.arch
        (_JEQ_K, audit_arch, None, "deny"),
        (_LD_W_ABS, 0, None, None),                      # seccomp_data.nr
    ]
    if machine == "x86_64":
        code.append((_JGE_K, _X32_SYSCALL_BIT, "deny", None))
    code += [
        (_JEQ_K, sys_connect, "deny", None),
        (_JEQ_K, sys_io_uring, "deny", None),
        (_JEQ_K, sys_socket, None, "allow"),
        (_LD_W_ABS, arg0_low, None, None),               # socket(family, ...)
        (_JEQ_K, _AF_UNIX, "allow", "deny"),
    ]
    labels = {"allow": len(code), "deny": len(code) + 1}
    code += [(_RET_K, _SECCOMP_RET_ALLOW, None, None), (_RET_K, _EPERM, None, None)]
    out = []
    for index, (opcode, k, if_true, if_false) in enumerate(code):
        jt = labels[if_true] - index - 1 if if_true else 0
        jf = labels[if_false] - index - 1 if if_false else 0
        out.append(struct.pack("=HBBI", opcode, jt, jf, k))
    return b"".join(out)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _no_new_privs(libc: ctypes.CDLL) -> None:
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(err)}")


def _seccomp() -> str:
    if sys.platform != "linux":
        raise OSError(errno.ENOSYS, f"seccomp needs Linux, not {sys.platform}")
    program = seccomp_program()
    libc = _libc()
    _no_new_privs(libc)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_SECCOMP): {os.strerror(err)}")
    return f"seccomp: socket() only for AF_UNIX, no connect() ({_machine()})"


# --- Landlock -----------------------------------------------------------------------------------

_SYS_LANDLOCK_CREATE_RULESET = 444  # the same numbers on x86_64 and aarch64 (asm-generic)
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: execute .. make_sym
    if abi >= 2:
        rights |= 1 << 13  # refer
    if abi >= 3:
        rights |= 1 << 14  # truncate
    if abi >= 5:
        rights |= 1 << 15  # ioctl_dev
    return rights


def _landlock(readable: Iterable[str]) -> str:
    if sys.platform != "linux" or _machine() not in _ARCHES:
        raise OSError(errno.ENOSYS, "Landlock needs Linux")
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                       ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    if abi < 1:
        err = ctypes.get_errno()
        raise OSError(err, f"Landlock is not available: {os.strerror(err)}")
    handled_net = 0b11 if abi >= 4 else 0  # bind_tcp, connect_tcp
    scoped = 0b11 if abi >= 6 else 0  # abstract unix sockets, signals
    attr = struct.pack("=QQQ", _fs_rights(abi), handled_net, scoped)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    buffer = ctypes.create_string_buffer(attr[:size], size)
    ruleset = libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"landlock_create_ruleset: {os.strerror(err)}")
    try:
        granted = []
        for path in sorted(set(readable)):
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # a folder that does not exist needs no rule
            try:
                rights = _FS_READ_FILE | (_FS_READ_DIR if os.path.isdir(path) else 0)
                rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, fd), 12)
                if libc.syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_PATH_BENEATH, rule, 0) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"landlock_add_rule({path}): {os.strerror(err)}")
                granted.append(path)
            finally:
                os.close(fd)
        _no_new_privs(libc)
        if libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"landlock_restrict_self: {os.strerror(err)}")
    finally:
        os.close(ruleset)
    return f"landlock ABI {abi}: read-only beneath {len(granted)} folders, no writes" + (
        ", no TCP" if handled_net else "")


# --- memory -------------------------------------------------------------------------------------

def _memory(limit: int) -> str:
    import resource

    if not hasattr(resource, "RLIMIT_AS"):
        raise OSError(errno.ENOSYS, "no RLIMIT_AS on this platform")
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return f"RLIMIT_AS {limit // 2**20} MiB" + ("" if sys.platform == "linux" else " (not enforced on every platform)")


# --- together -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Confinement:
    """What a worker applied to itself: each layer's description, or ``None`` and why not."""

    network: str | None
    files: str | None
    memory: str | None
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "missing": list(self.missing)}


def python_paths() -> list[str]:
    """Folders a worker may read after confinement: the Python installation and the packages it
    imports (the standard library, site-packages, and conflictkg's own folder for an editable install)."""
    import sysconfig

    paths = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    paths |= {sys.prefix, sys.base_prefix, sys.exec_prefix}
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../conflictkg
    paths.add(package)
    return sorted(p for p in paths if p)


def confine(*, readable: Sequence[str], memory_limit: int | None, network: bool = True,
            files: bool = True) -> Confinement:
    """Confine this process (irreversibly): memory cap, then Landlock, then seccomp.

    Each layer the platform lacks is skipped and named in ``missing`` with its reason.
    """
    applied: dict[str, str | None] = {"network": None, "files": None, "memory": None}
    missing: list[str] = []
    steps = [("memory", lambda: _memory(memory_limit) if memory_limit else None),
             ("files", lambda: _landlock([*readable, *python_paths()]) if files else None),
             ("network", lambda: _seccomp() if network else None)]
    for name, step in steps:
        try:
            applied[name] = step()
        except (OSError, AttributeError, ValueError) as exc:
            missing.append(f"{name}: {exc}")
    return Confinement(network=applied["network"], files=applied["files"], memory=applied["memory"],
                       missing=tuple(missing))
