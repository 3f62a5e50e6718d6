"""Network tests: two hypervisors on one emulated Ethernet, on this machine
only (Bochs instances on a bxhub over loopback UDP, QEMU instances joined by
a -netdev socket over loopback TCP). Each test starts its own pair.
"""

import glob
import os
import random
import re
import secrets
import shutil
import socket
import struct
import subprocess
import time

import unittest

import emu as emulib
import netns
from console import parse_json_reply
from emu import boot

ADDR = ("10.0.9.1", "10.0.9.2")
# An 82540EM on a QEMU hub port with nothing else on the hub: a NIC with
# its link up and no peer, so nothing leaves the emulator.
NIC_ALONE = ("-netdev", "hubport,id=n0,hubid=0", "-device", "e1000,netdev=n0")
PINGS = 100
NETBENCH_MIB = 16


# bxhub -ports=N -base=B binds UDP B+1, B+3, ... (one per port, on every
# address); the Bochs instance on port i binds B+2i (ethdev=B+2i) and sends
# to B+2i+1. Seen with Debian's bochs 2.7 package: `ss -ulpn` while bxhub
# -ports=2 -base=41000 ran showed 0.0.0.0:41001 and 0.0.0.0:41003.
# Bases are drawn below Linux's ephemeral range (32768-60999), so no
# connection of this machine is handed one of them meanwhile.
HUB_BASES = range(20000, 32000, 16)
HUB_WAIT = 10.0  # seconds bxhub gets to bind its ports


def udp_ports_bound():
    """Local UDP ports bound on this machine (IPv4 and IPv6)."""
    ports = set()
    for path in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(path) as f:
                next(f)
                ports |= {int(l.split()[1].rsplit(":", 1)[1], 16) for l in f}
        except (OSError, StopIteration):
            pass
    return ports


def udp_range_free(base, count):
    """True when UDP ports base..base+count-1 can all be bound right now."""
    socks = []
    try:
        for port in range(base, base + count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(sock)
            sock.bind(("0.0.0.0", port))
        return True
    except OSError:
        return False
    finally:
        for sock in socks:
            sock.close()


def start_hub(ports, rng=random.SystemRandom()):
    """Start bxhub for `ports` Bochs instances on a base whose 2*ports UDP
    ports were all free; wait until bxhub has bound its own. (process, base)."""
    for _ in range(8):
        base = rng.choice(HUB_BASES)
        if not udp_range_free(base, 2 * ports):
            continue
        hub = subprocess.Popen(["bxhub", "-ports=%d" % ports, "-base=%d" % base],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        want = {base + 2 * i + 1 for i in range(ports)}
        deadline = time.monotonic() + HUB_WAIT
        while hub.poll() is None and not want <= udp_ports_bound():
            if time.monotonic() > deadline:
                hub.kill()
                hub.wait()
                raise AssertionError("bxhub did not bind UDP %s within %.0fs"
                                     % (sorted(want), HUB_WAIT))
            time.sleep(0.05)
        if hub.poll() is None:
            return hub, base
        hub.wait()  # it lost a race for a port: try another base
    raise AssertionError("no free UDP port range for bxhub after 8 tries")


class Pair:
    """Two hypervisors on one link, consoles in json mode, addresses set,
    sharing a migration key made for the pair (migrations are encrypted
    by default and refused without one)."""

    def __init__(self, s, kind, model, tap=None, esp=None, mem_mib=256):
        self.s = s
        self.esp = esp and os.path.join(s.args.build, esp)  # another ESP tree (BUILD/esp-linux)
        self.mem_mib = mem_mib
        self.kind = kind
        self.emus = []
        self.hub = None
        self.model = model
        self.tap = tap  # a netns.TapLink to join (QEMU only), else a socket link
        self.psk = secrets.token_hex(32)
        self.hub_base = None  # bxhub's first UDP port (Bochs)

    def __enter__(self):
        base = os.path.join(self.s.args.build, "run", "net-%s-%s" % (self.kind, self.model))
        shutil.rmtree(base, ignore_errors=True)
        link, port = [], 0
        if self.kind == "bochs":
            self.hub, port = start_hub(2)
            self.hub_base = port
        elif not self.tap:
            # QEMU's socket netdev over a connected pair handed to each side:
            # no port to pick, no listener that must exist before its peer.
            link = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.base = base
        try:
            for i in range(2):
                self.emus.append(None)
                self._start(i, base, port, link)
        finally:
            for sock in link:
                sock.close()  # the emulators hold their own copies
        for i in range(2):
            self._ready(i)
        return self

    def _ready(self, i):
        e = self.emus[i]
        # a Linux ESP adds its 9 MB of guest files to the boot
        e.console.read_until_prompt(900 if self.esp else 240)
        e.console.command("mode json")
        obj = self.json(i, "net set eth0 static %s/24" % ADDR[i])
        assert obj["ok"], obj
        assert self.json(i, "migrate set psk " + self.psk)["ok"]

    def restart(self, i):
        """Kill hypervisor i and boot a fresh one in its place (Bochs: on
        the same hub port, with the same MAC and address), as an operator
        would after a crash."""
        assert self.kind == "bochs", "only a bxhub link can take a new emulator"
        old = self.emus[i]
        old.kill()
        kept = "%s.killed%d" % (old.run_dir, sum(1 for _ in glob.glob(old.run_dir + ".killed*")))
        os.rename(old.run_dir, kept)  # its serial log stays for the post-mortem
        self._start(i, self.base, self.hub_base, [])
        self._ready(i)

    def _start(self, i, base, port, link):
        """Start hypervisor i on the link (kept in self.emus, so __exit__
        kills it even when its start fails)."""
        extra = {}
        mac = "52:54:00:12:34:%02x" % (0x10 + i)
        if self.kind == "bochs":
            extra["bochs_extra"] = ["e1000: enabled=1, mac=%s, ethmod=socket, ethdev=%d" %
                                    (mac, port + 2 * i)]
        elif self.tap:
            extra["qemu_extra"] = self.tap.qemu_args(i, self.model, mac)
            extra["pass_fds"] = [self.tap.fds[i]]
        else:
            fd = link[i].fileno()
            extra["qemu_extra"] = ["-netdev", "socket,id=n0,fd=%d" % fd,
                                   "-device", "%s,netdev=n0,mac=%s" % (self.model, mac)]
            extra["pass_fds"] = [fd]
        e = emulib.Emulator(self.kind, self.s.args.build, os.path.join(base, str(i)),
                            mem_mib=self.mem_mib, esp=self.esp, **extra)
        self.emus[i] = e
        e.start()

    def json(self, i, line, timeout=60):
        return parse_json_reply(self.emus[i].console.command(line, timeout))

    def __exit__(self, *exc):
        for e in self.emus:
            if e is not None:
                e.kill()
        if self.hub:
            self.hub.kill()
            self.hub.wait()
        return False


def check_pair(s, kind, model, tap=None):
    with Pair(s, kind, model, tap) as p:
        nets = [p.json(i, "net")["interfaces"][0] for i in range(2)]
        for n in nets:
            assert n["link"] is True and n["mode"] == "static", n
        s.note("%s: %s %s" % (model, nets[0]["model"], nets[0]["mac"]))
        for src, dst in ((1, 0), (0, 1)):
            r = p.json(src, "ping %s %d" % (ADDR[dst], PINGS), timeout=PINGS * 2 + 30)
            assert r["ok"] and r["sent"] == PINGS and r["received"] == PINGS, r
            s.note("ping %s -> %s: %d/%d, rtt avg %d us" % (ADDR[src], ADDR[dst], r["received"],
                                                           r["sent"], r["rtt_avg_us"]))
        assert p.json(0, "netbench server")["listening"] is True
        r = p.json(1, "netbench %s %d" % (ADDR[0], NETBENCH_MIB), timeout=900)
        assert r["ok"] and r["intact"] is True, r
        assert r["bytes_verified"] == NETBENCH_MIB << 20 and r["errors"] == 0, r
        s.note("netbench %d MiB: %s MB/s, every byte verified by the receiver" %
               (NETBENCH_MIB, r["mb_per_s"]))
        stats = p.json(0, "net")["interfaces"][0]
        assert stats["rx_bytes"] >= NETBENCH_MIB << 20, stats
        if kind == "bochs":
            check_dhcp(s, p)


def check_dhcp(s, p):
    """bxhub answers DHCP in 10.0.2.0/24: an interface set to dhcp gets a lease."""
    assert p.json(1, "net set eth0 dhcp")["ok"]
    deadline = time.monotonic() + 60
    while True:
        n = p.json(1, "net")["interfaces"][0]
        if n["mode"] == "dhcp" and n["address"].startswith("10.0.2."):
            break
        assert time.monotonic() < deadline, "no DHCP lease: %r" % n
        time.sleep(1)
    s.note("DHCP lease from bxhub: %s/%s gateway %s" % (n["address"], n["netmask"], n["gateway"]))


@boot("net-bochs-e1000", kinds=("bochs",))
def test_net_bochs_e1000_bxhub(s):
    check_pair(s, "bochs", "e1000")


@boot("net-qemu-e1000", kinds=("qemu",))
def test_net_qemu_e1000(s):
    check_pair(s, "qemu", "e1000")


@boot("net-qemu-e1000e", kinds=("qemu",))
def test_net_qemu_e1000e(s):
    check_pair(s, "qemu", "e1000e")


@boot("net-qemu-virtio", kinds=("qemu",))
def test_net_qemu_virtio_net(s):
    check_pair(s, "qemu", "virtio-net-pci")


@boot("net-qemu-tap", kinds=("qemu",))
def test_net_qemu_tap_link(s):
    """The same over tap devices bridged in a private network namespace,
    limited to 1 Gbit/s each way: what a real link looks like to the stack."""
    why = netns.unavailable_reason()
    if why:
        raise unittest.SkipTest(why)
    with netns.TapLink(2, "1gbit") as tap:
        check_pair(s, "qemu", "e1000", tap)


def check_nic_reset(s, model):
    """`debug nic-fault eth0` makes the device fail; its driver must reset
    it on its own, and traffic must resume."""
    with Pair(s, "qemu", model) as p:
        assert p.json(1, "ping %s 3" % ADDR[0])["received"] == 3
        assert p.json(0, "debug nic-fault eth0")["ok"]
        deadline = time.monotonic() + 60
        while p.json(0, "net")["interfaces"][0]["resets"] < 1:
            assert time.monotonic() < deadline, "the driver never reset the device"
            p.json(1, "ping %s 1" % ADDR[0], timeout=30)  # something for eth0 to send
        ping = p.json(1, "ping %s 20" % ADDR[0], timeout=120)
        assert ping["received"] >= 18, "traffic did not resume after the reset: %r" % ping
        assert p.json(0, "netbench server")["listening"]
        r = p.json(1, "netbench %s 4" % ADDR[0], timeout=300)
        assert r["ok"] and r["intact"], r
        n = p.json(0, "net")["interfaces"][0]
        s.note("resets %d; after it: %d/20 pings, 4 MiB netbench intact" % (n["resets"],
                                                                          ping["received"]))
        assert n["link"] is True, n


@boot("net-qemu-nic-reset", kinds=("qemu",))
def test_net_nic_error_is_reset_and_recovers(s):
    """A virtio device that flags DEVICE_NEEDS_RESET (provoked by a corrupt
    available ring) is reset by its driver, and traffic resumes."""
    check_nic_reset(s, "virtio-net-pci")


@boot("net-qemu-nic-tx-hang", kinds=("qemu",))
def test_net_e1000_tx_hang_is_reset_and_recovers(s):
    """An 82540EM and an 82574L whose transmitter stops (TCTL.EN cleared
    under the driver) leave frames queued; after a second the driver
    resets each, and traffic resumes."""
    for model in ("e1000", "e1000e"):
        check_nic_reset(s, model)


# ---------------------------------------------------------------- bad input
def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def ipv4(src, dst, proto, payload, ttl=64, bad_len=None):
    total = bad_len if bad_len is not None else 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0, ttl, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def echo_request(ident, seq, data=b"hv-net-test" * 4):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]


def frames_evil(rng, mac_hv, mac_me):
    """Malformed, truncated and oversized frames for the hypervisor's address."""
    eth = mac_hv + mac_me + b"\x08\x00"
    good = ipv4("10.0.9.2", "10.0.9.1", 1, echo_request(0x4242, 1))
    out = [b"", b"\x00", mac_hv, eth, eth + good[:10],                   # runts
           eth + good + os.urandom(9000),                                # oversized
           eth + ipv4("10.0.9.2", "10.0.9.1", 1, echo_request(1, 1), bad_len=60000),
           eth + ipv4("10.0.9.2", "10.0.9.1", 1, echo_request(1, 1), bad_len=5),
           eth + b"\x4f" + good[1:],                                     # bad IHL
           eth + ipv4("10.0.9.2", "10.0.9.1", 6, os.urandom(40)),          # TCP garbage
           eth + ipv4("10.0.9.2", "10.0.9.1", 17, b"\x00\x07\x00\x07\xff\xff\x00\x00"),
           mac_hv + mac_me + b"\x08\x06" + os.urandom(28),               # ARP garbage
           b"\xff" * 6 + mac_me + b"\x08\x06" + os.urandom(60)]
    out += [mac_hv + mac_me + bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 1600)))
            for _ in range(200)]
    return out


def read_frames(conn, until):
    """Frames from a QEMU socket netdev stream (4-byte big-endian length prefix)."""
    buf = b""
    conn.settimeout(0.2)
    while time.monotonic() < until:
        try:
            chunk = conn.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            return
        buf += chunk
        while len(buf) >= 4:
            n = struct.unpack("!I", buf[:4])[0]
            if len(buf) < 4 + n:
                break
            yield buf[4:4 + n]
            buf = buf[4 + n:]


@boot("net-qemu-hostile", kinds=("qemu",))
def test_net_hostile_frames_are_dropped(s):
    """A peer that is this test: garbage frames in, then a real ping must
    still be answered and the console still work."""
    # the test's end of a connected pair is the peer: nothing to accept
    conn, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    run_dir = os.path.join(s.args.build, "run", "net-hostile")
    shutil.rmtree(run_dir, ignore_errors=True)
    e = emulib.Emulator("qemu", s.args.build, run_dir, mem_mib=256, qemu_extra=[
        "-netdev", "socket,id=n0,fd=%d" % theirs.fileno(),
        "-device", "e1000,netdev=n0,mac=52:54:00:12:34:66"], pass_fds=[theirs.fileno()])
    try:
        e.start()
        theirs.close()
        e.console.read_until_prompt(240)
        e.console.command("mode json")
        assert parse_json_reply(e.console.command("net set eth0 static 10.0.9.1/24"))["ok"]
        mac_hv, mac_me = bytes.fromhex("525400123466"), bytes.fromhex("020000000002")
        rng = random.Random(7)
        evil = frames_evil(rng, mac_hv, mac_me)
        for f in evil:
            conn.sendall(struct.pack("!I", len(f)) + f)
        # the console answers while (or after) the driver eats the garbage
        assert parse_json_reply(e.console.command("version"))["ok"]
        # a well-formed echo request still gets its reply (after ARP for us)
        req = mac_hv + mac_me + b"\x08\x00" + ipv4("10.0.9.2", "10.0.9.1", 1, echo_request(0x7777, 9))
        got = False
        for _ in range(5):
            conn.sendall(struct.pack("!I", len(req)) + req)
            for f in read_frames(conn, time.monotonic() + 2):
                if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01":  # ARP request: answer it
                    arp = (f[6:12] + mac_me + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x02" +
                           mac_me + socket.inet_aton("10.0.9.2") + f[22:28] + f[28:32])
                    conn.sendall(struct.pack("!I", len(arp)) + arp)
                if f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 0 and \
                        struct.unpack("!HH", f[38:42]) == (0x7777, 9):
                    got = True
                    break
            if got:
                break
        assert got, "no echo reply after the garbage"
        net = parse_json_reply(e.console.command("net"))["interfaces"][0]
        s.note("after %d hostile frames: rx_frames %d, rx_dropped %d, resets %d" % (
            len(evil), net["rx_frames"], net["rx_dropped"], net["resets"]))
    finally:
        e.kill()
        conn.close()
        theirs.close()


@boot("net-config", kinds=("qemu",))
def test_net_configured_from_hv_cfg(s):
    """net.mode/net.address in hv.cfg configure the first NIC at boot."""
    run_dir = os.path.join(s.args.build, "run", "net-config")
    shutil.rmtree(run_dir, ignore_errors=True)
    esp = os.path.join(run_dir, "esp")
    shutil.copytree(os.path.join(s.args.build, "esp"), esp)
    with open(os.path.join(esp, "hv.cfg"), "w") as f:
        f.write("hostname = cfgtest\nnet.mode = static\nnet.address = 10.0.9.7/24\n"
                "net.gateway = 10.0.9.254\nbogus line\n")
    disk = os.path.join(run_dir, "hv.img")
    subprocess.run(["sh", "scripts/mkimg.sh", esp, disk], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    e = emulib.Emulator("qemu", s.args.build, os.path.join(run_dir, "emu"), mem_mib=256,
                        disk=disk, qemu_extra=NIC_ALONE)
    try:
        e.start()
        e.console.read_until_prompt(240)
        e.console.command("mode json")
        n = parse_json_reply(e.console.command("net"))["interfaces"][0]
        assert (n["mode"], n["address"], n["netmask"], n["gateway"]) == \
            ("static", "10.0.9.7", "255.255.255.0", "10.0.9.254"), n
        c = parse_json_reply(e.console.command("config"))
        assert c["hostname"] == "cfgtest" and c["bad_lines"] == 1, c
        assert "hv.cfg:5" in c["errors"][0], c
    finally:
        e.kill()


# Bad input for the network commands and the error each must give. The
# machine has a NIC (eth0, set to 10.0.9.1/24 first), so every `net set`
# reaches the validation of its settings rather than "no interface".
NET_ERRORS = (
    ("net set eth9 static 10.0.0.1/24", r"no interface 'eth9'"),
    ("net set eth0 static 300.1.1.1/24", r"bad network settings: static 300\.1\.1\.1/24"),
    ("net set eth0 static 10.0.0.1/33", r"bad network settings: static 10\.0\.0\.1/33"),
    ("net set eth0 static 10.0.0.1", r"bad network settings: static 10\.0\.0\.1"),
    ("net set eth0 static 10.0.0.1/24 10.0.0.999",
     r"bad network settings: static 10\.0\.0\.1/24"),
    ("net set eth0 bogus", r"bad network settings: bogus"),
    ("net set eth0 static", r"bad network settings: static"),
    ("net set eth0 dhcp 10.0.0.1/24", r"bad network settings: dhcp 10\.0\.0\.1/24"),
    ("net set eth0", r"usage: net set IF static .*"),
    # past the command table's argument limit: the console's own usage line
    ("net set eth0 static 10.0.0.1/24 10.0.0.254 extra", r"usage: net \[set IF static .*"),
    ("net frob", r"usage: net \| net set IF \.\.\."),
    ("ping 999.1.1.1", r"'999\.1\.1\.1' is not an IPv4 address"),
    ("ping 10.0.0.1 0", r"'0' is not a count from 1 to \d+"),
    ("ping 10.0.0.1 x", r"'x' is not a count from 1 to \d+"),
    ("netbench 1.2.3", r"'1\.2\.3' is not an IPv4 address"),
    ("netbench 10.0.0.1 0", r"'0' is not a count from 1 to \d+"),
    ("netbench server extra", r"usage: netbench server"),
)


@boot("net-errors", kinds=("qemu",), qemu_extra=NIC_ALONE)
def test_net_command_errors(s):
    ok = s.json("net set eth0 static 10.0.9.1/24")
    assert ok["ok"] is True and ok["address"] == "10.0.9.1", ok
    before = s.json("net")["interfaces"]
    assert [(n["name"], n["mode"], n["address"], n["netmask"]) for n in before] == \
        [("eth0", "static", "10.0.9.1", "255.255.255.0")], before
    for line, error in NET_ERRORS:
        obj = s.json(line)
        assert obj["ok"] is False, (line, obj)
        assert re.fullmatch(error, obj["error"]), "%r: error %r, expected /%s/" % (
            line, obj["error"], error)
        # a refused setting leaves the interface as it was
        now = s.json("net")["interfaces"][0]
        assert (now["mode"], now["address"], now["netmask"]) == \
            ("static", "10.0.9.1", "255.255.255.0"), (line, now)
    # and good settings still go through
    obj = s.json("net set eth0 static 10.0.9.5/16 10.0.0.254")
    assert obj["ok"] is True and obj["address"] == "10.0.9.5", obj
    n = s.json("net")["interfaces"][0]
    assert (n["netmask"], n["gateway"]) == ("255.255.0.0", "10.0.0.254"), n
    assert s.json("net set eth0 none")["mode"] == "none"
