"""TLS for migration, inside the image (docs/migration-stream.md,
"Transport security"): the freestanding mbedTLS build, its page-backed
allocator and the entropy source, through the hidden `tls_selftest`
(a client and a server session through memory), and the console's
handling of the pre-shared key, and that without a key neither end of a
migration starts. Migrations over TLS: test_migrate_tls.py.
"""

from emu import boot

KEY = "0123456789abcdef" * 4  # 32 bytes, as hex


@boot("tls", kinds=("qemu", "bochs"))
def test_no_key_no_migration(s):
    """Before any key is set (tests run in file order on one boot): both
    ends refuse, saying how to set one."""
    for line in ("migrate incoming 4444", "migrate nosuch 10.0.2.2:4444"):
        obj = s.json(line)
        assert obj["ok"] is False, obj
        assert "migrate set psk" in obj["error"] and "tls off" in obj["error"], obj
    assert s.json("migrate status")["settings"]["tls_ready"] is False
    s.note("no key: %s" % s.json("migrate incoming 4444")["error"])


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
