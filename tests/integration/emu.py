#!/usr/bin/env python3
"""Boot the hypervisor in Bochs, QEMU/TCG or QEMU/KVM with COM1 on a socket.

The harness listens on 127.0.0.1 first and the emulator connects to it as
a client (Bochs com1 mode=socket-client, QEMU -serial tcp:), so no port is
ever guessed. Every run lives in its own directory under BUILD/run/ (emulator
configuration, a private copy of the ESP for Bochs's vvfat, logs, serial
transcript); the build tree is never written to.

As a program it gives an interactive console on the terminal:
    emu.py --interactive bochs|qemu|kvm --build BUILD   (Ctrl-] quits)
"""

import argparse
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console import Console  # noqa: E402

KINDS = ("bochs", "qemu", "kvm")

# Debian's ovmf and vgabios packages; HV_OVMF / HV_VGABIOS override.
OVMF_PATHS = ("/usr/share/ovmf/OVMF.fd", "/usr/share/qemu/OVMF.fd",
              "/usr/share/OVMF/OVMF.fd")
VGABIOS_PATHS = ("/usr/share/vgabios/vgabios.bin",)

# Seconds the emulator gets to connect to the console socket after start.
CONNECT_TIMEOUT = 30.0
# Largest copy of the emulator's own output/log kept on disk.
LOG_CAP = 32 << 20
# Seconds the QMP reader gets to deliver QEMU's last event after it exited.
QMP_EVENT_WAIT = 10.0
# Default deadline for one console reply: Bochs is much slower than QEMU.
REPLY_TIMEOUT = {"bochs": 30.0, "qemu": 15.0, "kvm": 15.0}

# Runs the emulator with "kill me when my parent dies" set (Linux
# PR_SET_PDEATHSIG = 1), so even a SIGKILLed harness leaves no emulator
# behind; it survives exec. argv: parent pid, command...
_ORPHAN_GUARD = (
    "import ctypes, os, signal, sys\n"
    "try:\n"
    "    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit(1)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n")

_live = set()  # running Emulator objects, killed at exit
_live_lock = threading.Lock()


class EmulatorError(Exception):
    """The emulator could not be started or stopped as asked."""


def boot(group, kinds=None, mem_mib=None, cpus=None, qemu_extra=None, esp=None,
         boot_wait=None, long=False):
    """Mark a test as running in the shared boot `group`.

    Tests of one group run in source order against one emulator start per
    emulator kind; `kinds` limits the kinds the test applies to;
    `qemu_extra` adds QEMU arguments (devices) to the group's machine;
    `esp` names another ESP tree under the build directory (esp-linux);
    `boot_wait` overrides the seconds allowed to the first prompt.
    `long` tests run only when run.py is given --long.
    """
    def mark(fn):
        fn.boot_group = group
        fn.boot_long = long
        fn.boot_kinds = tuple(kinds) if kinds else KINDS
        fn.boot_opts = {k: v for k, v in (("mem_mib", mem_mib), ("cpus", cpus),
                                          ("qemu_extra", qemu_extra), ("esp", esp),
                                          ("boot_wait", boot_wait)) if v}
        return fn
    return mark


def _dpkg_find(package, suffix):
    try:
        out = subprocess.run(["dpkg", "-L", package], capture_output=True,
                             text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    hits = [l for l in out.splitlines() if l.endswith(suffix) and os.path.isfile(l)]
    return hits[0] if hits else None


def firmware_path(env, candidates, package, suffix):
    """A firmware file: $env, then the usual Debian places, then dpkg -L."""
    if os.environ.get(env):
        return os.environ[env]
    for path in candidates:
        if os.path.isfile(path):
            return path
    found = _dpkg_find(package, suffix)
    if not found:
        raise EmulatorError("%s not found (install Debian package %s or set %s)"
                            % (suffix, package, env))
    return found


def kvm_unavailable_reason():
    """Why nested VMX under QEMU/KVM cannot be used here, or None if it can."""
    if not os.path.exists("/dev/kvm"):
        return "no /dev/kvm"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "/dev/kvm not accessible"
    try:
        with open("/proc/cpuinfo") as f:
            flags = [l for l in f if l.startswith("flags")]
    except OSError:
        flags = []
    if not any("vmx" in l.split(":", 1)[-1].split() for l in flags):
        return "host CPU has no VMX (no nested virtualization)"
    try:
        with open("/sys/module/kvm_intel/parameters/nested") as f:
            nested = f.read().strip()
    except OSError:
        return "kvm_intel module not loaded"
    if nested not in ("Y", "1"):
        return "kvm_intel nested=%s" % nested
    return None


def emulator_unavailable_reason(kind):
    """Why `kind` cannot run on this machine, or None."""
    binary = "bochs" if kind == "bochs" else "qemu-system-x86_64"
    if not shutil.which(binary):
        return "%s not installed" % binary
    if kind == "kvm":
        return kvm_unavailable_reason()
    return None


def _kill_all():
    with _live_lock:
        emus = list(_live)
    for e in emus:
        e.kill()


atexit.register(_kill_all)


class OutputMonitor:
    """Reads the emulator's stdout/stderr (Bochs logs there too): keeps a
    capped copy on disk, the tail in memory, and counts marker strings.

    A guest stuck in a loop can make Bochs log gigabytes; the cap keeps the
    disk and this process bounded.
    """

    MARKERS = {
        "reset": b"bx_pc_system_c::Reset(",       # Bochs machine reset
        "shutdown": b"shutdown requested",         # Bochs port 0x8900
        "panic": b">>PANIC<<",                     # Bochs panic
    }

    def __init__(self, pipe, path, cap=LOG_CAP):
        self.path = path
        self.cap = cap
        self.written = 0
        self.dropped = 0
        self.counts = dict.fromkeys(self.MARKERS, 0)
        self._tail = bytearray()
        self._lock = threading.Lock()
        self._pipe = pipe
        self._thread = threading.Thread(target=self._reader, daemon=True)
        self._thread.start()

    def _reader(self):
        partial = b""
        with open(self.path, "wb") as f:
            while True:
                chunk = self._pipe.read1(65536)
                if not chunk:
                    break
                data = partial + chunk
                cut = data.rfind(b"\n") + 1
                # Count whole lines only, so no marker is split in two.
                lines, partial = data[:cut], data[cut:]
                if len(partial) > 4096:
                    lines, partial = data, b""
                self._take(lines, f)
            self._take(partial, f)
        self._pipe.close()

    def _take(self, data, f):
        with self._lock:
            for key, marker in self.MARKERS.items():
                self.counts[key] += data.count(marker)
            self._tail += data
            del self._tail[:-16384]
        room = self.cap - self.written
        if room > 0:
            f.write(data[:room])
            f.flush()
            self.written += min(room, len(data))
        self.dropped += max(0, len(data) - max(room, 0))

    def join(self, timeout):
        """Wait for the emulator's output to end (after it exited)."""
        self._thread.join(timeout)

    def count(self, key):
        """How often marker `key` appeared so far."""
        with self._lock:
            return self.counts[key]

    def tail(self, lines=15):
        """The last lines of output, and a note if the copy on disk was capped."""
        with self._lock:
            text = bytes(self._tail).decode("latin-1")
        text = "\n".join(text.rstrip("\n").split("\n")[-lines:])
        if self.dropped:
            text += "\n(%s capped at %d MiB; %d bytes not saved)" % (
                os.path.basename(self.path), self.cap >> 20, self.dropped)
        return text


class Qmp:
    """QEMU's machine protocol on a socket: records events such as SHUTDOWN."""

    def __init__(self, sock):
        self.sock = sock
        self.events = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._reader, daemon=True)
        self._thread.start()

    def _reader(self):
        buf = b""
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self._handle(line)

    def _handle(self, line):
        try:
            msg = json.loads(line)
        except ValueError:
            return
        if "QMP" in msg:  # greeting: events flow only after this
            try:
                self.sock.sendall(b'{"execute": "qmp_capabilities"}\n')
            except OSError:
                pass
        elif "event" in msg:
            with self._cond:
                self.events.append(msg)
                self._cond.notify_all()

    def shutdown_reason(self, timeout=0.0):
        """The reason of the last SHUTDOWN event ("guest-shutdown", ...), or
        None if none arrived within timeout seconds or before QEMU closed
        the socket (the event is read by a thread: it may lag the exit)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for ev in reversed(self.events):
                    if ev.get("event") == "SHUTDOWN":
                        return ev.get("data", {}).get("reason")
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return None
                self._cond.wait(min(left, 0.2))

    def close(self):
        """Close the socket."""
        try:
            self.sock.close()
        except OSError:
            pass


class Emulator:
    """One emulator process with its serial console on a socket."""

    def __init__(self, kind, build_dir, run_dir, mem_mib=256, cpus=1, esp=None,
                 disk=None, bochs_extra=(), qemu_extra=(), pass_fds=()):
        if kind not in KINDS:
            raise EmulatorError("unknown emulator %r" % kind)
        self.kind = kind
        self.build_dir = os.path.abspath(build_dir)
        self.run_dir = os.path.abspath(run_dir)
        self.mem_mib = mem_mib
        self.cpus = cpus
        self.esp = os.path.abspath(esp or os.path.join(self.build_dir, "esp"))
        self.disk = os.path.abspath(disk or os.path.join(self.build_dir, "hv.img"))
        self.bochs_extra = list(bochs_extra)
        self.qemu_extra = list(qemu_extra)
        self.pass_fds = tuple(pass_fds)  # descriptors the emulator inherits (tap devices)
        self.proc = None
        self.console = None
        self.qmp = None
        self.started_at = None
        self.serial_log = os.path.join(self.run_dir, "serial.log")
        self.out_log = os.path.join(self.run_dir, "emulator.log")
        self.monitor = None

    # ------------------------------------------------------------ configs
    def _bochs_command(self, port):
        esp = os.path.join(self.run_dir, "esp")
        # vvfat may write back into its directory: give it a private copy.
        shutil.copytree(self.esp, esp)
        ovmf = firmware_path("HV_OVMF", OVMF_PATHS, "ovmf", "/OVMF.fd")
        vga = firmware_path("HV_VGABIOS", VGABIOS_PATHS, "vgabios", "/vgabios.bin")
        conf = [
            "megs: %d" % self.mem_mib,
            "cpu: model=corei7_skylake_x, count=%d, ips=200000000" % self.cpus,
            "romimage: file=\"%s\", address=0xffe00000" % ovmf,
            "vgaromimage: file=\"%s\"" % vga,
            # Headless; each instance binds the first free port in 5900-5949.
            "display_library: rfb, options=\"timeout=0\"",
            # The default ALSA back end aborts (fortify) in its mixer
            # thread on machines without sound hardware.
            "sound: driver=dummy",
            "speaker: enabled=0",
            "com1: enabled=1, mode=socket-client, dev=127.0.0.1:%d" % port,
            "log: -",  # stderr: the harness caps and scans it
            # An emulator panic must end the run visibly, not be shrugged off.
            "panic: action=fatal",
            "error: action=report",
            "pci: enabled=1, chipset=i440fx",
            "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14",
            "ata0-master: type=disk, path=esp, mode=vvfat, journal=vvfat.redolog",
        ] + self.bochs_extra
        with open(os.path.join(self.run_dir, "bochsrc"), "w") as f:
            f.write("\n".join(conf) + "\n")
        # The Debian build has the debugger: it waits for commands first.
        with open(os.path.join(self.run_dir, "debugger.rc"), "w") as f:
            f.write("c\n")
        return ["bochs", "-q", "-f", "bochsrc", "-rc", "debugger.rc"]

    def _qemu_command(self, port, qmp_port):
        ovmf = firmware_path("HV_OVMF", OVMF_PATHS, "ovmf", "/OVMF.fd")
        if os.path.isfile(self.disk):
            drive = "format=raw,file=%s,snapshot=on" % self.disk
        else:  # plumbing runs without an image: QEMU's own FAT view
            drive = "format=raw,file=fat:%s,snapshot=on" % self.esp
        cmd = ["qemu-system-x86_64", "-machine", "q35", "-m", str(self.mem_mib),
               "-smp", str(self.cpus), "-bios", ovmf, "-drive", drive,
               "-serial", "tcp:127.0.0.1:%d" % port,
               "-display", "none", "-vga", "none", "-monitor", "none",
               "-nodefaults",
               # Machine events (why QEMU stopped) on a second socket.
               "-chardev", "socket,id=qmp,host=127.0.0.1,port=%d" % qmp_port,
               "-mon", "chardev=qmp,mode=control",
               # A reset (triple fault, reboot) ends QEMU instead of
               # quietly restarting the firmware: tests see it.
               "-no-reboot"]
        if self.kind == "kvm":
            cmd += ["-accel", "kvm", "-cpu", "host,+vmx"]
        else:
            cmd += ["-accel", "tcg", "-cpu", "max"]
        return cmd + self.qemu_extra

    def _check_inputs(self):
        app = os.path.join(self.esp, "EFI", "BOOT", "BOOTX64.EFI")
        if not os.path.isfile(app):
            raise EmulatorError("%s missing (run make first)" % app)
        reason = emulator_unavailable_reason(self.kind)
        if reason:
            raise EmulatorError(reason)

    # ------------------------------------------------------------ life
    def start(self):
        """Start the emulator and accept its console connection.

        The emulator is killed when the thread that started it exits (or the
        whole harness dies): start and stop it from the same thread.
        """
        self._check_inputs()
        if os.path.exists(self.run_dir):
            shutil.rmtree(self.run_dir)
        os.makedirs(self.run_dir)
        listener = _listen()
        qmp_listener = _listen() if self.kind != "bochs" else None
        try:
            port = listener.getsockname()[1]
            if self.kind == "bochs":
                cmd = self._bochs_command(port)
            else:
                cmd = self._qemu_command(port, qmp_listener.getsockname()[1])
            with open(os.path.join(self.run_dir, "command"), "w") as f:
                f.write(" ".join(cmd) + "\n")
            self.started_at = time.monotonic()
            # Own session: killing the group takes any helpers with it.
            # stdin is not the terminal: Bochs's debugger would read it.
            guarded = [sys.executable, "-c", _ORPHAN_GUARD, str(os.getpid())] + cmd
            self.proc = subprocess.Popen(guarded, cwd=self.run_dir, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         start_new_session=True, pass_fds=self.pass_fds)
            self.monitor = OutputMonitor(self.proc.stdout, self.out_log)
            with _live_lock:
                _live.add(self)
            sock = self._accept(listener)
            if qmp_listener:
                self.qmp = Qmp(self._accept(qmp_listener))
        finally:
            listener.close()
            if qmp_listener:
                qmp_listener.close()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.console = Console(sock, self.serial_log, REPLY_TIMEOUT[self.kind])
        return self.console

    def _accept(self, listener):
        deadline = time.monotonic() + CONNECT_TIMEOUT
        listener.settimeout(0.5)
        while True:
            try:
                sock, _ = listener.accept()
                sock.settimeout(None)
                return sock
            except socket.timeout:
                pass
            if self.proc.poll() is not None:
                self.monitor.join(2)
                raise EmulatorError("%s exited (status %d) before connecting its "
                                    "console:\n%s" % (self.kind, self.proc.returncode,
                                                      self.diagnostics()))
            if time.monotonic() > deadline:
                self.kill()
                raise EmulatorError("%s did not connect its console within %.0fs"
                                    % (self.kind, CONNECT_TIMEOUT))

    def elapsed(self):
        """Seconds since the emulator process was started."""
        return time.monotonic() - self.started_at

    def cpu_seconds(self):
        """CPU time (user + system, all threads) the emulator has used so
        far: unlike wall time it does not grow while other processes hold
        the cores. None once the process is gone."""
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, AttributeError, IndexError):
            return None
        # fields[0] is field 3 (state): utime and stime are fields 14, 15
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self):
        """True while the emulator process runs."""
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout):
        """Exit status once the emulator ends, or None after timeout seconds."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self.monitor.join(5)  # its last words (Bochs logs the shutdown)
        self._forget()
        return status

    def kill(self):
        """Stop the emulator (its whole process group) and close the console."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        if self.console is not None:
            self.console.close()
        if self.qmp is not None:
            self.qmp.close()
        self._forget()

    def _forget(self):
        with _live_lock:
            _live.discard(self)

    # ------------------------------------------------------------ evidence
    def reset_count(self):
        """Bochs only: how many machine resets its log shows (1 = power-on)."""
        return self.monitor.count("reset") if self.monitor else 0

    def stop_reason(self):
        """Why the machine stopped or restarted: "guest-shutdown" (power off),
        "guest-reset" (reset, triple fault, reboot), "emulator-panic" (Bochs),
        other QEMU reasons, or None while it runs on."""
        if self.kind != "bochs":
            if not self.qmp:
                return None
            # Once QEMU has exited its last event is on its way: wait for
            # the reader to take it (or for the socket to close).
            return self.qmp.shutdown_reason(0.0 if self.alive() else QMP_EVENT_WAIT)
        if not self.monitor:
            return None
        # The shutdown port logs itself as a panic: only others are real.
        if self.monitor.count("panic") > self.monitor.count("shutdown"):
            return "emulator-panic"
        if self.monitor.count("shutdown"):
            return "guest-shutdown"
        if self.reset_count() > 1:
            return "guest-reset"
        return None

    def diagnostics(self, lines=15):
        """Tail of the emulator's own output and log, for failure reports."""
        if not self.monitor:
            return ""
        return "--- %s (tail)\n%s" % (os.path.basename(self.out_log),
                                       self.monitor.tail(lines))


def _listen():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock


# ---------------------------------------------------------------- interactive
def _relay(emu):
    """Copy the terminal to the console and back until the emulator ends or Ctrl-]."""
    import select
    import termios
    import tty

    sock = emu.console.sock
    stdin = sys.stdin.fileno()
    saved = termios.tcgetattr(stdin) if os.isatty(stdin) else None
    if saved:
        tty.setraw(stdin)
    emu.console.skip()
    sent = 0
    try:
        # Show what arrived before the relay began, then follow the buffer.
        while emu.alive() and not emu.console.eof:
            mark = emu.console.mark()
            if mark > sent:
                os.write(sys.stdout.fileno(), emu.console.since(sent).encode("latin-1"))
                sent = mark
            ready, _, _ = select.select([stdin], [], [], 0.05)
            if ready:
                data = os.read(stdin, 1024)
                if not data or b"\x1d" in data:  # EOF or Ctrl-]
                    break
                sock.sendall(data)
    finally:
        if saved:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
    rest = emu.console.since(sent)
    if rest:
        sys.stdout.write(rest)
        sys.stdout.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--interactive", metavar="EMU", choices=KINDS, required=True,
                    help="emulator to boot: bochs, qemu or kvm")
    ap.add_argument("--build", default="build", help="build directory (default build)")
    ap.add_argument("--esp", help="ESP directory (default BUILD/esp)")
    ap.add_argument("--disk", help="disk image for QEMU (default BUILD/hv.img)")
    ap.add_argument("--mem", type=int, default=256, help="guest RAM in MiB")
    ap.add_argument("--cpus", type=int, default=1, help="processors")
    args = ap.parse_args(argv)
    kind = args.interactive
    run_dir = os.path.join(args.build, "run", "interactive-" + kind)
    emu = Emulator(kind, args.build, run_dir, args.mem, args.cpus, args.esp, args.disk)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        emu.start()
        sys.stderr.write("hv: %s started; console below, Ctrl-] quits; logs in %s\r\n"
                         % (kind, run_dir))
        _relay(emu)
    except EmulatorError as e:
        sys.stderr.write("hv: %s\n" % e)
        return 1
    finally:
        status = emu.wait_exit(1) if emu.proc else None
        emu.kill()
    sys.stderr.write("\r\nhv: %s\r\n" % _ending(kind, emu, status))
    return 0


def _ending(kind, emu, status):
    """Why the interactive session ended, in words (Bochs exits with status 1
    on its shutdown port, which is a clean power-off, not a failure)."""
    tail = emu.console.since(max(0, emu.console.mark() - 4096))
    if "powering off" in tail and status is not None:
        return "the machine powered off (%s ended)" % kind
    if "rebooting" in tail[-200:] and status is not None:
        return "the machine reset (%s ended)" % kind
    if status is None:
        return "%s stopped (Ctrl-] or end of input)" % kind
    return "%s exited with status %d" % (kind, status)


if __name__ == "__main__":
    sys.exit(main())
