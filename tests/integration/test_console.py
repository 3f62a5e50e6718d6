"""Console tests: boot to the prompt, every command in both reply modes,
errors, hostile input, line editing, power off, and a forced exception.

Each test takes the run.py Session `s` of its boot group; tests of the
"console" group share one boot per emulator and run in source order, so the
shutdown test comes last there.
"""

import os
import random
import re
import time

from console import parse_json_reply, parse_text_reply, strip_log_lines
from emu import boot

# Every command help must list; "debug" is hidden from it.
COMMANDS = ("help", "version", "mem", "cpu", "uptime", "log", "mode", "reboot",
            "shutdown")
# Seconds of the hypervisor's own clock from its core's start to the
# first prompt, at most (measured: 0.04 s in Bochs and QEMU). Its own
# clock, not the host's: the firmware before it (OVMF takes about a
# billion instructions under Bochs, 30 s of a 2026 host's CPU) and the
# host's speed and load do not count; run.py's BOOT_WAIT bounds the wall
# time, and the emulator's CPU time is reported.
BOOT_LIMIT = 2.0
LOG_RE = re.compile(r"^\[\s*(\d+\.\d{6})\] (error|warn|info|debug): ", re.M)
# Output after a fault dump that means the console or the firmware came back.
RESTART_RE = re.compile(rb"hv> |BdsDxe|\x1b\[2J|UEFI Interactive Shell")


def strings_in(obj):
    """Every string value anywhere in a parsed JSON value."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, list):
        return [s for v in obj for s in strings_in(v)]
    return []


def dicts_in(obj):
    """Every object anywhere in a parsed JSON value."""
    if isinstance(obj, list):
        return [d for v in obj for d in dicts_in(v)]
    if isinstance(obj, dict):
        return [obj] + [d for v in obj.values() for d in dicts_in(v)]
    return []


def check_ok(obj, cmd):
    """A successful json reply to cmd."""
    assert obj["ok"] is True, "%s failed: %r" % (cmd, obj)
    assert obj["cmd"] == cmd, "cmd is %r, expected %r" % (obj["cmd"], cmd)
    assert "error" not in obj, "ok reply carries an error: %r" % obj


def check_failed(obj, cmd):
    """A failed json reply to cmd: ok false, a message, no other fields."""
    assert obj["ok"] is False, "%r should fail: %r" % (cmd, obj)
    assert isinstance(obj.get("error"), str) and obj["error"], "no error text: %r" % obj
    extra = set(obj) - {"ok", "cmd", "error"}
    assert not extra, "failed reply carries fields %s: %r" % (sorted(extra), obj)
    if cmd is not None:
        assert obj["cmd"] == cmd, "cmd is %r, expected %r" % (obj["cmd"], cmd)


def check_text_ok(reply, line):
    """A text reply that is not an error and has at least one line."""
    assert reply.strip(), "empty reply to %r" % line
    assert not re.search(r"^error:", reply, re.M), "%r failed: %r" % (line, reply)


def check_text_error(reply, line):
    """A text reply that is exactly one "error: MSG" line."""
    assert re.fullmatch(r"error: \S.*", reply.strip()), \
        "%r should give one error line, got %r" % (line, reply)


def version_reference(s):
    """The text reply to version, to compare later replies against."""
    ref = s.text("version")
    check_text_ok(ref, "version")
    return ref


# ---------------------------------------------------------------- boot
@boot("console")
def test_boot_reaches_prompt(s):
    seconds = s.boot()
    cpu = s.boot_cpu_seconds
    assert cpu is not None, "no CPU time for the emulator process"
    s.note("prompt %.1fs after the emulator started, %.1f s of emulator CPU time"
           % (seconds, cpu))
    stamps = [float(m.group(1)) for m in LOG_RE.finditer(s.boot_output.replace("\r", ""))]
    assert stamps, "no '[  seconds] level: ...' log line before the prompt"
    s.note("the hypervisor's own clock at its last line before the prompt: %.3f s" % stamps[-1])
    assert stamps[-1] <= BOOT_LIMIT, \
        "the core took %.3f s of its clock to the prompt (limit %.1f)" % (stamps[-1], BOOT_LIMIT)


# ---------------------------------------------------------------- text mode
@boot("console")
def test_version_text(s):
    fields = parse_text_reply(version_reference(s))
    assert fields.get("version"), "no version: field in %r" % fields


@boot("console")
def test_help_text(s):
    reply = s.text("help")
    check_text_ok(reply, "help")
    # For people: a table, one line per command, arguments beside it.
    lines = reply.strip().splitlines()
    assert re.match(r"^COMMAND\s+ARGUMENTS\s+WHAT IT DOES$", lines[0]), lines[0]
    names = [l.split()[0] for l in lines[1:] if l.strip() and not l.startswith("help COMMAND")]
    missing = [c for c in COMMANDS if c not in names]
    assert not missing, "help does not list %s: %r" % (", ".join(missing), reply)
    assert "debug" not in names, "hidden command debug is listed"
    assert len(names) == len(set(names)), "a command listed twice: %r" % names
    col = lines[0].index("ARGUMENTS")
    log = [l for l in lines if l.startswith("log ")][0]
    assert log[col:].startswith("[error|warn|info|debug]"), "columns not aligned: %r" % reply
    one = s.text("help log")
    assert re.search(r"^usage: \[error\|warn\|info\|debug\]$", one, re.M), one
    assert re.search(r"^help: show or set the log level$", one, re.M), one
    assert re.search(r"^error: unknown command 'nosuch'", s.text("help nosuch"), re.M)


@boot("console")
def test_mem_text(s):
    reply = s.text("mem")
    check_text_ok(reply, "mem")
    fields = parse_text_reply(reply)
    for key in ("regions", "allocator"):
        assert key in fields, "no %s: in mem reply %r" % (key, reply)
    assert re.search(r"^\s+free_pages: [1-9]\d*$", reply, re.M), "no free_pages > 0"


@boot("console")
def test_cpu_text(s):
    reply = s.text("cpu")
    check_text_ok(reply, "cpu")
    fields = parse_text_reply(reply)
    for key in ("vendor", "vmx"):
        assert key in fields, "no %s: in cpu reply %r" % (key, reply)


@boot("console")
def test_uptime_text(s):
    reply = s.text("uptime")
    check_text_ok(reply, "uptime")
    value = parse_text_reply(reply).get("seconds", "")
    assert re.fullmatch(r"\d+(\.\d+)?", value), "seconds: %r is not a number" % value


@boot("console")
def test_log_text(s):
    for line, want in (("log debug", "debug"), ("log", "debug"),
                       ("log info", "info"), ("log", "info")):
        reply = s.text(line)
        check_text_ok(reply, line)
        level = parse_text_reply(reply).get("level")
        if line == "log" or level is not None:
            assert level == want, "%r: level %r, expected %r" % (line, level, want)


@boot("console")
def test_unknown_command_text(s):
    check_text_error(s.text("frobnicate"), "frobnicate")


@boot("console")
def test_wrong_argument_count_text(s):
    for line in ("log a b c", "mode", "version extra"):
        check_text_error(s.text(line), line)
    version_reference(s)


@boot("console")
def test_empty_line_gives_prompt(s):
    s.set_mode("text")
    echo, reply = s.console.raw_command(b"\r")
    assert echo == "" and reply.strip("\r\n") == "", "empty line printed %r" % reply


# ---------------------------------------------------------------- json mode
@boot("console")
def test_version_json(s):
    obj = s.json("version")
    check_ok(obj, "version")
    assert isinstance(obj.get("version"), str) and obj["version"], "no version in %r" % obj


@boot("console")
def test_help_json(s):
    obj = s.json("help")
    check_ok(obj, "help")
    names = set(strings_in(obj))
    missing = [c for c in COMMANDS if c not in names]
    assert not missing, "help json lacks %s: %r" % (", ".join(missing), obj)
    hidden = [d for d in dicts_in(obj) if d.get("name") == "debug"]
    assert not hidden, "hidden command debug is listed: %r" % hidden


@boot("console")
def test_mem_json(s):
    obj = s.json("mem")
    check_ok(obj, "mem")
    assert isinstance(obj.get("regions"), list) and obj["regions"], "no regions: %r" % obj
    alloc = obj.get("allocator")
    assert isinstance(alloc, dict), "no allocator object: %r" % obj
    free, total = alloc.get("free_pages"), alloc.get("total_pages")
    assert isinstance(free, int) and free > 0, "free_pages %r" % free
    assert isinstance(total, int) and total >= free, "total_pages %r < free %r" % (total, free)


@boot("console")
def test_cpu_json(s):
    obj = s.json("cpu")
    check_ok(obj, "cpu")
    for key in ("family", "model", "stepping"):
        assert isinstance(obj.get(key), int), "%s not a number: %r" % (key, obj)
    assert isinstance(obj.get("vendor"), str) and obj["vendor"], "no vendor"
    assert isinstance(obj.get("brand"), str), "no brand"
    vmx = obj.get("vmx")
    assert isinstance(vmx, dict), "no vmx object: %r" % obj
    s.note("vmx: %s" % ", ".join("%s=%s" % kv for kv in vmx.items()))
    features = ("ept", "ept_ad", "pml", "unrestricted_guest")
    if s.kind == "bochs":
        assert obj["vendor"] == "GenuineIntel", "vendor %r" % obj["vendor"]
        for key in ("present", "usable") + features:
            assert vmx.get(key) is True, "Bochs should report vmx.%s true: %r" % (key, vmx)
        # IA32_VMX_BASIC bits 30:0 under corei7_skylake_x (platform notes).
        assert int(str(vmx.get("vmcs_revision")), 16) == 0x2B, \
            "vmcs_revision %r, expected 0x2b" % vmx.get("vmcs_revision")
    elif s.kind == "qemu":
        assert vmx.get("present") is False, "QEMU/TCG has no VMX: %r" % vmx
        on = [k for k in ("usable",) + features if vmx.get(k)]
        assert not on, "QEMU/TCG reports %s" % ", ".join(on)
    else:
        assert vmx.get("present") is True and vmx.get("usable") is True, \
            "nested KVM should offer VMX: %r" % vmx


@boot("console")
def test_uptime_json_increases(s):
    first = s.json("uptime")
    check_ok(first, "uptime")
    a = first.get("seconds")
    assert isinstance(a, int) and not isinstance(a, bool), "seconds not a number: %r" % a
    # poll until the next whole second: a stuck clock fails at the deadline
    deadline = time.monotonic() + 30
    while True:
        second = s.json("uptime")
        b = second.get("seconds")
        assert isinstance(b, int) and not isinstance(b, bool), "seconds not a number: %r" % b
        assert b >= a, "uptime went back: %r then %r" % (a, b)
        if b > a:
            break
        assert time.monotonic() < deadline, "uptime stuck at %r for 30 s" % a
        time.sleep(0.2)
    assert second["ms"] > first["ms"] and second["ns"] > first["ns"], (first, second)


@boot("console")
def test_log_json(s):
    for line, want in (("log debug", "debug"), ("log", "debug"),
                       ("log info", "info"), ("log", "info")):
        obj = s.json(line)
        check_ok(obj, "log")
        if line == "log" or "level" in obj:
            assert obj.get("level") == want, "%r: %r, expected level %r" % (line, obj, want)


@boot("console")
def test_unknown_command_json(s):
    check_failed(s.json("frobnicate"), "frobnicate")


@boot("console")
def test_wrong_argument_count_json(s):
    for line in ("log a b c", "mode", "mode xml", "log loud", "version extra"):
        check_failed(s.json(line), line.split()[0])
    check_ok(s.json("version"), "version")  # still in json mode


@boot("console")
def test_mode_text_restores_text(s):
    s.set_mode("json")
    s.mode = None
    reply = s.console.command("mode text")
    if reply.startswith("{"):
        check_ok(parse_json_reply(reply), "mode")
    else:
        check_text_ok(reply, "mode text")
    s.mode = "text"
    reply = s.console.command("version")
    assert not reply.lstrip().startswith("{"), "still json after mode text: %r" % reply


# ---------------------------------------------------------------- profiler
@boot("console")
def test_profile_samples_the_hypervisor(s):
    """The sampler takes about HZ samples a second, every sampled address
    lies inside the image, and bad arguments are refused."""
    image = s.json("boot")
    check_ok(image, "boot")
    size = image["image_size"]
    started = s.json("profile start 500")
    check_ok(started, "profile")
    assert started["hz"] == 500, started
    t0 = s.json("uptime")["ms"]
    time.sleep(2)
    stopped = s.json("profile stop")
    elapsed_s = (s.json("uptime")["ms"] - t0) / 1000.0
    check_ok(stopped, "profile")
    assert stopped["running"] is False, stopped
    report = s.json("profile show 100")
    check_ok(report, "profile")
    want = 500 * elapsed_s
    assert 0.3 * want <= report["samples"] <= 1.1 * want + 10, \
        "%d samples in %.1f s at 500 Hz" % (report["samples"], elapsed_s)
    assert report["top"], report
    counted = 0
    for e in report["top"]:
        assert "offset" in e, "a sample outside the image: %r" % e
        assert int(e["offset"], 16) < size, "offset %s past the image (%#x bytes)" % (e["offset"], size)
        counted += e["samples"]
    assert counted + report["dropped"] <= report["samples"], report
    s.note("%d samples in %.1f s, %d addresses; hottest at hv.so+%s"
           % (report["samples"], elapsed_s, report["addresses"], report["top"][0]["offset"]))
    for line in ("profile start 5", "profile start 99999", "profile show 0", "profile frob",
                 "profile show 101"):
        check_failed(s.json(line), "profile")


# ---------------------------------------------------------------- hostile input
@boot("console")
def test_overlong_line_text(s):
    ref = version_reference(s)
    _, reply = s.console.raw_command(b"a" * 300 + b"\r")
    check_text_error(reply.replace("\r", ""), "300 x 'a'")
    assert s.text("version") == ref, "console broken after an over-long line"


@boot("console")
def test_overlong_line_json(s):
    s.set_mode("json")
    _, reply = s.console.raw_command(b"version " + b"x" * 292 + b"\r")
    obj = parse_json_reply(strip_log_lines(reply))
    check_failed(obj, None)
    check_ok(s.json("version"), "version")


def random_lines(rng, count):
    """count lines of random bytes, 1..80 long, each ending in CR."""
    lines = []
    for _ in range(count):
        n = rng.randint(1, 80)
        lines.append(bytes(rng.randrange(256) for _ in range(n - 1)) + b"\r")
    return lines


@boot("console")
def test_random_bytes_then_version(s):
    seed = int(os.environ.get("HV_TEST_SEED") or random.randrange(1 << 32))
    s.note("seed %d (rerun with --seed %d)" % (seed, seed))
    ref = version_reference(s)
    con = s.console
    lines = random_lines(random.Random(seed), 1000)
    chunk = 50
    for i in range(0, len(lines), chunk):
        con.send(b"".join(lines[i:i + chunk]))
        # Flow control holds the rest back; pause so the receive side
        # sees bursts with gaps, as a person pasting would cause.
        con.wait_quiet(0.2, timeout=10)
    s.mode = None
    assert s.emu.alive(), "emulator exited during random input"
    con.resync()
    # History recall (ESC [ A) may have replayed "mode json" or "log debug".
    assert s.text("version") == ref, "version reply changed after random input"
    s.text("log info")


@boot("console")
def test_ctrl_c_drops_partial_line(s):
    ref = version_reference(s)
    con = s.console
    con.send(b"vers")
    con.wait_quiet(0.5, timeout=10)
    con.send(b"\x03")
    con.wait_quiet(1.0, timeout=10)
    con.skip()
    assert con.command("version") == ref, "Ctrl-C did not drop 'vers'"


@boot("console")
def test_backspace_edits_line(s):
    ref = version_reference(s)
    for erase in (b"\x7f", b"\x08"):
        _, reply = s.console.raw_command(b"verx" + erase + b"sion\r")
        got = reply.replace("\r", "").strip("\n")
        typed = b"verx" + erase + b"sion"
        assert got == ref, "%r gave %r, expected %r" % (typed, got, ref)


# ---------------------------------------------------------------- power off (last)
@boot("console")
def test_shutdown_powers_off(s):
    s.console.send_line("shutdown")
    status = s.emu.wait_exit(20)
    assert status is not None, "emulator still running 20 s after shutdown"
    reason = s.emu.stop_reason()
    s.note("emulator exit status %d, stop reason %s" % (status, reason))
    assert reason == "guest-shutdown", "machine stopped by %r, not a power-off" % reason


# ---------------------------------------------------------------- reboot
@boot("reboot")
def test_reboot_restarts(s):
    con = s.console
    ref = version_reference(s)
    con.skip()
    con.send_line("reboot")
    if s.kind == "bochs":
        # Bochs resets the machine: the firmware and the console come back.
        con.expect(rb"reboot\r*\n")
        con.read_until_prompt(90)
        assert s.emu.stop_reason() == "guest-reset", "no machine reset in the Bochs log"
        s.mode = None
        assert s.text("version") == ref, "console after reboot differs"
    else:
        # -no-reboot turns the reset into an exit, with the reason recorded.
        status = s.emu.wait_exit(20)
        assert status is not None, "emulator still running 20 s after reboot"
        assert s.emu.stop_reason() == "guest-reset", \
            "machine stopped by %r, not a reset" % s.emu.stop_reason()


# ---------------------------------------------------------------- exceptions
FAULT_NAMES = {
    "ud": r"#UD|invalid opcode",
    "pf": r"#PF|page fault",
    "gp": r"#GP|general protection",
    "de": r"#DE|divide",
}


def check_fault(s, kind):
    """Raise a fault; the dump must name it, show registers, and halt for good."""
    con = s.console
    con.skip()
    mark = con.mark()
    con.send_line("debug fault " + kind)
    con.expect(rb"EXCEPTION")
    halted = con.expect(rb"(?i)halted").end()
    con.wait_quiet(1.0, timeout=10)
    dump = con.since(mark)
    assert re.search(FAULT_NAMES[kind], dump, re.I), \
        "dump does not name the exception (%s)" % FAULT_NAMES[kind]
    for reg in ("RIP", "RSP", "RAX"):
        assert re.search(r"\b%s\b" % reg, dump, re.I), "dump lacks %s" % reg
    time.sleep(5)
    after = con.since(halted).encode("latin-1")
    assert not RESTART_RE.search(after), "output after the dump: %r" % after[-300:]
    assert s.emu.alive(), "emulator exited (stop reason %r)" % s.emu.stop_reason()
    assert s.emu.stop_reason() is None, "machine stopped: %r" % s.emu.stop_reason()


@boot("fault-ud")
def test_debug_fault_ud_halts(s):
    check_fault(s, "ud")


@boot("fault-pf", kinds=("qemu", "kvm"))
def test_debug_fault_pf_halts(s):
    check_fault(s, "pf")


@boot("fault-gp", kinds=("qemu", "kvm"))
def test_debug_fault_gp_halts(s):
    check_fault(s, "gp")


@boot("fault-de", kinds=("qemu", "kvm"))
def test_debug_fault_de_halts(s):
    check_fault(s, "de")

