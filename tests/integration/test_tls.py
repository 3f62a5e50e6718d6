"""TLS for migration, inside the image (docs/migration-stream.md,
"Transport security"): the freestanding mbedTLS build, its page-backed
allocator and the entropy source, through the hidden `tls_selftest`
(a client and a server session through memory), and the console's
handling of the pre-shared key. The sender and receiver do not use TLS
yet, so nothing here crosses a network.
"""

from emu import boot

KEY = "0123456789abcdef" * 4  # 32 bytes, as hex


@boot("tls", kinds=("qemu", "bochs"))
def test_tls_selftest_in_the_image(s):
    obj = s.json("tls_selftest")
    assert obj["ok"], obj
    assert obj["entropy"] in ("rdseed", "rdrand", "tsc-jitter"), obj
    assert obj["handshake_ok"] is True, obj
    assert obj["cipher_suite"] == "TLS-PSK-WITH-CHACHA20-POLY1305-SHA256", obj
    assert obj["bulk_bytes"] == 256 * 1024, obj
    assert "wrong key" in obj["wrong_key_server"], obj
    assert "bad_record_mac" in obj["wrong_key_client"], obj
    s.note("entropy %s, set-up %d us, handshake %d us, bulk %d KiB/s" % (
        obj["entropy"], obj["setup_us"], obj["handshake_us"], obj["bulk_kib_s"]))


@boot("tls", kinds=("qemu", "bochs"))
def test_psk_is_never_shown(s):
    for mode in ("text", "json"):
        reply = s.text("migrate set psk " + KEY) if mode == "text" else \
            str(s.json("migrate set psk " + KEY))
        assert KEY not in reply and KEY[:8] not in reply, reply
        assert "psk_set" in reply, reply
    obj = s.json("migrate set psk " + KEY[:-1])  # odd length: refused, not quoted
    assert obj["ok"] is False and KEY[:8] not in str(obj), obj
    obj = s.json("migrate set psk-identity pair-7")
    assert obj["ok"] and "pair-7" not in str(obj), obj
    status = str(s.json("migrate status"))
    assert KEY[:8] not in status and "pair-7" not in status, status
    assert "'tls_ready': True" in status, status
