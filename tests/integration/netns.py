"""A private Ethernet for emulators: a network namespace made for the
purpose, holding one bridge and a tap device per emulator, optionally
rate-limited like a real link (tc tbf on each tap, so each direction).

The namespace has no other interface, so nothing on it can reach this
machine's networks or beyond. Each tap is created from inside the
namespace and handed to QEMU as an open file descriptor
(-netdev tap,fd=N); QEMU itself stays in this machine's namespace, where
its console and QMP sockets are.

Needs root (CAP_NET_ADMIN) and /dev/net/tun; unavailable_reason() says
why not.
"""

import ctypes
import fcntl
import os
import shutil
import struct
import subprocess

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA  # linux/if_tun.h: _IOW('T', 202, int)
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


_probed = []


def unavailable_reason():
    """Why a private tap network cannot be made here, or None. Tried once
    for real (a container may be root without CAP_NET_ADMIN)."""
    if not _probed:
        _probed.append(_probe())
    return _probed[0]


def _probe():
    if os.geteuid() != 0:
        return "tap networks need root (CAP_NET_ADMIN)"
    for tool in ("ip", "tc"):
        if not shutil.which(tool):
            return "%s (iproute2) not installed" % tool
    try:
        os.close(os.open("/dev/net/tun", os.O_RDWR))
    except OSError as e:
        return "cannot open /dev/net/tun: %s" % e.strerror
    name = "hvnet-probe-%d" % os.getpid()
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if made.returncode != 0:
        return "cannot create a network namespace: %s" % made.stderr.strip()
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    return None


def _run(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class TapLink:
    """`ports` taps on one bridge in a fresh namespace; rate like "1gbit" or None."""

    def __init__(self, ports=2, rate=None):
        self.name = "hvnet-%d-%d" % (os.getpid(), id(self) & 0xffff)
        self.ports = ports
        self.rate = rate
        self.fds = []

    def __enter__(self):
        _run("ip", "netns", "add", self.name)
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _build(self):
        ns = ["ip", "-n", self.name]
        _run(*ns, "link", "add", "br0", "type", "bridge")
        for i in range(self.ports):
            self.fds.append(self._open_tap("tap%d" % i))
            _run(*ns, "link", "set", "tap%d" % i, "master", "br0", "up")
            if self.rate:
                # 20 ms of queue at the link rate: a TCP window fits, a raw blast overflows it
                _run("ip", "netns", "exec", self.name, "tc", "qdisc", "add", "dev", "tap%d" % i,
                     "root", "tbf", "rate", self.rate, "burst", "64kb", "latency", "20ms")
        _run(*ns, "link", "set", "br0", "up")

    def _open_tap(self, ifname):
        """Create ifname inside the namespace; the fd stays usable from anywhere."""
        libc = ctypes.CDLL(None, use_errno=True)
        home = os.open("/proc/self/ns/net", os.O_RDONLY)
        there = os.open("/run/netns/" + self.name, os.O_RDONLY)
        try:
            if libc.setns(there, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns into " + self.name)
            try:
                fd = os.open("/dev/net/tun", os.O_RDWR)
                fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", ifname.encode(), IFF_TAP | IFF_NO_PI))
            finally:
                if libc.setns(home, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns back home")
        finally:
            os.close(home)
            os.close(there)
        return fd

    def qemu_args(self, i, model, mac):
        """QEMU arguments putting a NIC of `model` on port i (pass fds[i] to QEMU)."""
        return ["-netdev", "tap,id=n0,fd=%d" % self.fds[i],
                "-device", "%s,netdev=n0,mac=%s" % (model, mac)]

    def close(self):
        for fd in self.fds:
            os.close(fd)
        self.fds = []
        subprocess.run(["ip", "netns", "del", self.name], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
