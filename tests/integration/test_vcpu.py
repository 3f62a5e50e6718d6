"""The virtual CPU, architecturally: guests that check what a CPU must do
and report it. A 64-bit guest runs to completion (long mode, ring 3 via
SYSRET, SYSCALL, an SSE register kept across rounds), and NMIs sent to
self through the local APIC arrive once each.
"""

from emu import boot
from test_guests import VMX_KINDS, guest, start, wait_for

GROUP = "vcpu"
OPTS = dict(kinds=VMX_KINDS, mem_mib=256)


@boot(GROUP, **OPTS)
def test_vcpu_64bit_guest_runs_to_completion(s):
    mark = s.console.mark()
    start(s, "long64.elf mem=8 -- rounds=3 pages=64")
    m = wait_for(s, r"^\[long64\] RESULT long64 (ok|fail.*)", mark)
    assert m.group(1).startswith("ok"), m.group(0)
    wait_for(s, r"guest long64: stopped: exited with status 0", mark, 60)
    for r in (1, 2, 3):
        wait_for(s, r"^\[long64\] PROGRESS long64 round=%d .*xmm=%d cpl=3" % (r, r), mark, 5)


@boot(GROUP, **OPTS)
def test_vcpu_self_nmi_arrives_once_each(s):
    mark = s.console.mark()
    start(s, "nmi_self.elf mem=4 -- count=20")
    m = wait_for(s, r"^\[nmi_self\] RESULT nmi_self (ok nmis=20|fail.*)", mark)
    assert m.group(1).startswith("ok"), m.group(0)
    wait_for(s, r"guest nmi_self: stopped: exited with status 0", mark, 60)
    assert guest(s, "nmi_self")["exit_status"] == 0


@boot(GROUP, **OPTS)
def test_vcpu_real_mode_fault_has_no_error_code(s):
    """RDMSR/WRMSR of a missing MSR in real mode: #GP through the IVT, no
    error code (with one, VM entry would fail and the guest never return)."""
    mark = s.console.mark()
    start(s, "realmode.elf mem=4")
    stop = wait_for(s, r"guest realmode: stopped: (.*)", mark)
    assert stop.group(1) == "exited with status 0", stop.group(0)
    m = wait_for(s, r"^\[realmode\] RESULT realmode (.*)", mark, 30)
    assert m.group(1) == "ok gp=2", m.group(0)
