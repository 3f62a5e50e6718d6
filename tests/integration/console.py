"""Drive the hypervisor's serial console over a TCP socket.

The console prints log lines ("[    1.234567] info: ..."), then the prompt
"hv> " with no newline. Output that arrives later (log lines, guest output)
is printed above the prompt, never inside a reply. A command line ends with CR; the console echoes
what is typed, ends the line with CR LF, prints the reply and a new prompt.
In "mode json" each reply is exactly one line holding one JSON object.

A reader thread appends everything received to a buffer (and to a
transcript file); callers consume the buffer with a cursor, so nothing is
lost between calls and every wait has a deadline.
"""

import json
import re
import socket
import threading
import time

PROMPT = b"hv> "
# The prompt only counts at the start of a line: a reply could contain
# "hv> " in the middle of a value.
PROMPT_RE = re.compile(rb"(?<=[\r\n])hv> ")
# Output not belonging to a reply: log lines "[    1.234567] info: ..." and
# guest output "[NAME] ...". The console prints it above the prompt after
# erasing the prompt line (CR ESC [ K).
ASYNC_LINE_RE = re.compile(r"^\[[^\]\n]*\]( |$)")
ERASE_LINE = "\r\x1b[K"
CTRL_C = b"\x03"


class ConsoleError(Exception):
    """The console did not behave as the protocol says (timeout, EOF, bad reply).

    `output` holds the last output seen, for reports.
    """

    def __init__(self, msg, output=""):
        super().__init__(msg)
        self.output = output


class Console:
    """One serial console connection; thread-safe for one driver thread."""

    def __init__(self, sock, log_path=None, timeout=30.0):
        self.sock = sock
        self.timeout = timeout  # default deadline for one reply
        self._buf = bytearray()
        self._pos = 0  # everything before this has been consumed
        self._eof = False
        self._last_rx = time.monotonic()
        self._cond = threading.Condition()
        self._log = open(log_path, "ab", buffering=0) if log_path else None
        self._thread = threading.Thread(target=self._reader, daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ plumbing
    def _reader(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if self._log and data:
                self._log.write(data)
            with self._cond:
                if not data:
                    self._eof = True
                else:
                    self._buf += data
                    self._last_rx = time.monotonic()
                self._cond.notify_all()
            if not data:
                return

    def close(self):
        """Close the socket; the reader thread ends on EOF."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._thread.join(timeout=5)
        if self._log:
            self._log.close()
            self._log = None

    @property
    def eof(self):
        """True once the emulator closed its end of the socket."""
        return self._eof

    def send(self, data):
        """Send raw bytes (str is encoded as Latin-1, one byte per char)."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise ConsoleError("console send failed: %s" % e) from e

    def send_line(self, line):
        """Send one command line terminated by CR."""
        self.send(line + "\r" if isinstance(line, str) else line + b"\r")

    # ------------------------------------------------------------ reading
    def mark(self):
        """Offset of the end of what has been received so far."""
        with self._cond:
            return len(self._buf)

    def skip(self):
        """Consume everything received so far."""
        with self._cond:
            self._pos = len(self._buf)

    def since(self, mark):
        """Text received since mark (CRs kept), decoded as Latin-1."""
        with self._cond:
            return bytes(self._buf[mark:]).decode("latin-1")

    def tail(self, lines=40):
        """The last lines of the whole transcript, for failure reports."""
        with self._cond:
            text = bytes(self._buf[-16384:]).decode("latin-1")
        text = re.sub(r"\r+\n", "\n", text).replace("\r", "")
        return "\n".join(text.split("\n")[-lines:])

    def expect(self, pattern, timeout=None):
        """Wait for a regex (str or bytes) after the cursor; consume through it."""
        if isinstance(pattern, str):
            pattern = pattern.encode("latin-1")
        if isinstance(pattern, bytes):
            pattern = re.compile(pattern)
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = pattern.search(self._buf, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if self._eof or left <= 0:
                    why = "connection closed" if self._eof else "timeout %.0fs" % timeout
                    raise ConsoleError("%s waiting for %r" % (why, pattern.pattern),
                                       self._tail_locked())
                self._cond.wait(min(left, 0.5))

    def _tail_locked(self):
        text = bytes(self._buf[max(self._pos - 2048, 0):]).decode("latin-1")
        return text[-3000:]

    def wait_quiet(self, quiet=1.0, timeout=30.0):
        """Wait until nothing has arrived for `quiet` seconds; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                if now - self._last_rx >= quiet or self._eof:
                    return True
                if now >= deadline:
                    return False
                self._cond.wait(min(quiet, deadline - now))

    def read_until_prompt(self, timeout=None):
        """Consume through the next prompt at a line start; return the text before it."""
        start = self._pos
        m = self.expect(PROMPT_RE, timeout)
        return bytes(self._buf[start:m.start()]).decode("latin-1")

    # ------------------------------------------------------------ commands
    def raw_command(self, data, timeout=None):
        """Send raw bytes ending a line; return (echo, reply) as text.

        The echo is everything up to the first newline (the console ends the
        typed line with CR LF); the reply is what follows, up to the prompt.
        """
        self.skip()
        start = self._pos
        self.send(data)
        m = self.expect(rb"\n", timeout)
        echo = bytes(self._buf[start:m.start()]).decode("latin-1")
        return echo.rstrip("\r"), self.read_until_prompt(timeout)

    def command_full(self, line, timeout=None):
        """Run one command line; return the reply text, log lines included."""
        self.skip()
        self.send_line(line)
        # Find our own echo rather than any newline, so a log line printed
        # just before it is not taken for the echo.
        self.expect(re.escape(line.encode("latin-1")) + rb"\r*\n", timeout)
        return self.read_until_prompt(timeout)

    def command(self, line, timeout=None):
        """Run one command line; return the reply lines (no log lines, no CRs)."""
        return strip_log_lines(self.command_full(line, timeout))

    def json(self, line, timeout=None):
        """Run a command in json mode; return the parsed single-line reply."""
        return parse_json_reply(self.command(line, timeout))

    def resync(self, attempts=5, timeout=None):
        """Cancel any partial line and wait for a quiet prompt."""
        timeout = self.timeout if timeout is None else timeout
        for _ in range(attempts):
            self.skip()
            self.send(CTRL_C + b"\r")
            try:
                self.expect(PROMPT_RE, timeout)
            except ConsoleError:
                if self._eof:
                    raise
                continue
            self.wait_quiet(1.0, timeout)
            with self._cond:
                if bytes(self._buf).endswith(PROMPT):
                    self._pos = len(self._buf)
                    return
        raise ConsoleError("no quiet prompt after %d resync attempts" % attempts,
                           self.tail())


def strip_log_lines(text):
    """Drop CRs, log lines ("[  1.2] info: ...") and guest output lines
    ("[NAME] ...") from a reply."""
    lines = text.replace(ERASE_LINE, "\n").replace("\r", "").split("\n")
    kept = [l for l in lines if not ASYNC_LINE_RE.match(l)]
    return "\n".join(kept).strip("\n")


def parse_json_reply(reply):
    """The one JSON object of a json-mode reply; ConsoleError if not exactly one line."""
    lines = [l for l in reply.split("\n") if l.strip()]
    if len(lines) != 1 or not lines[0].startswith("{"):
        raise ConsoleError("json reply is not exactly one JSON line: %r" % reply)
    try:
        obj = json.loads(lines[0])
    except ValueError as e:
        raise ConsoleError("json reply does not parse (%s): %r" % (e, lines[0])) from e
    if not isinstance(obj, dict):
        raise ConsoleError("json reply is not an object: %r" % lines[0])
    return obj


def parse_text_reply(reply):
    """Top-level "key: value" pairs of a text reply (nested lines ignored)."""
    fields = {}
    for line in reply.split("\n"):
        if not line or line[0] in " -":
            continue
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields
