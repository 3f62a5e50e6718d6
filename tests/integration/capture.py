"""A capture of a bxhub link: every Ethernet frame the hub carries, read
off the loopback interface (bxhub's traffic is UDP on loopback; the
Ethernet frame is the UDP payload: docs/platform.md), and the TCP
streams in it put back together.

Needs a raw packet socket (CAP_NET_RAW, as root). Each frame appears
more than once on loopback (to the hub and from it); reassembly keeps
one copy of every byte by its TCP sequence number.
"""

import socket
import struct
import threading

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
ETHERTYPE_IPV4 = 0x0800
IPPROTO_UDP = 17
IPPROTO_TCP = 6


def _ipv4(frame, off):
    """(protocol, src, dst, payload offset, end) of the IPv4 packet at off, or None."""
    if len(frame) < off + 20 or frame[off] >> 4 != 4:
        return None
    ihl = (frame[off] & 15) * 4
    total = struct.unpack_from("!H", frame, off + 2)[0]
    return frame[off + 9], frame[off + 12:off + 16], frame[off + 16:off + 20], off + ihl, off + total


class HubCapture:
    """Frames on UDP ports [base, base + 2 * ports) of loopback, while running."""

    def __init__(self, base, ports=2):
        self.lo, self.hi = base, base + 2 * ports
        self.frames = []
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(ETH_P_ALL))
        self._sock.bind(("lo", 0))
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sock.close()
        return False

    def _run(self):
        while not self._stop.is_set():
            try:
                pkt, addr = self._sock.recvfrom(65536)
            except socket.timeout:
                continue
            if addr[2] == PACKET_OUTGOING:
                continue  # loopback shows each packet going out and coming in
            frame = self._hub_frame(pkt)
            if frame is not None:
                self.frames.append(frame)

    def _hub_frame(self, pkt):
        """The Ethernet frame a loopback packet carries for the hub, or None."""
        if len(pkt) < 14 or struct.unpack_from("!H", pkt, 12)[0] != ETHERTYPE_IPV4:
            return None
        ip = _ipv4(pkt, 14)
        if not ip or ip[0] != IPPROTO_UDP:
            return None
        off = ip[3]
        sport, dport = struct.unpack_from("!HH", pkt, off)
        if not (self.lo <= sport < self.hi or self.lo <= dport < self.hi):
            return None
        return bytes(pkt[off + 8:ip[4]])

    def raw(self):
        """Every captured frame, end to end."""
        return b"".join(self.frames)

    def tcp_stream(self, dport):
        """The bytes sent to TCP port dport (one direction), in sequence order."""
        segs = {}
        for f in self.frames:
            if len(f) < 14 or struct.unpack_from("!H", f, 12)[0] != ETHERTYPE_IPV4:
                continue
            ip = _ipv4(f, 14)
            if not ip or ip[0] != IPPROTO_TCP:
                continue
            off, end = ip[3], ip[4]
            _, port, seq = struct.unpack_from("!HHI", f, off)
            data = f[off + (f[off + 12] >> 4) * 4:end]
            if port == dport and data:
                segs.setdefault(seq, data)
        if not segs:
            return b""
        base = min(segs)  # one connection per capture: no wrap-around worth handling
        out = bytearray()
        for seq in sorted(segs, key=lambda s: (s - base) & 0xffffffff):
            rel, data = (seq - base) & 0xffffffff, segs[seq]
            if rel > len(out):
                out += bytes(rel - len(out))  # a hole: a frame the capture missed
            if rel + len(data) > len(out):
                out += data[len(out) - rel:]
        return bytes(out)
