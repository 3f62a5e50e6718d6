"""`make run` as a person uses it: scripts/run.sh relays the terminal to the
console; typing `shutdown` powers the machine off, and the last line says
so in words (Bochs ends with status 1 on its shutdown port: not a failure).
"""

import os
import subprocess
import time

from emu import boot

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")


@boot("run-script", kinds=("qemu",))
def test_make_run_shutdown_says_powered_off(s):
    proc = subprocess.Popen(["sh", os.path.join(ROOT, "scripts", "run.sh"), "qemu", s.args.build],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        out = b""
        deadline = time.monotonic() + 90
        os.set_blocking(proc.stdout.fileno(), False)
        while b"hv> " not in out:
            assert time.monotonic() < deadline, "no prompt: %r" % out[-500:]
            assert proc.poll() is None, "run.sh ended early: %r" % out[-500:]
            chunk = proc.stdout.read(4096)
            out += chunk or b""
            time.sleep(0.1)
        proc.stdin.write(b"shutdown\r")
        proc.stdin.flush()
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = err.decode("latin-1")
    assert "the machine powered off" in err, err
    assert "exited with status" not in err, err
