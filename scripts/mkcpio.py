#!/usr/bin/env python3
"""Write a directory tree to stdout as a cpio archive in the "newc" format
(what the Linux kernel unpacks as an initramfs: the kernel's
Documentation/driver-api/early-userspace/buffer-format.rst). Owners are
root, times zero, so the archive depends only on the tree's contents.
Used by scripts/linux-image.sh; no cpio package needed.

    python3 scripts/mkcpio.py DIR > archive.cpio
"""
import os
import stat
import sys

NEWC_MAGIC = b"070701"


def pad4(n):
    return (4 - n % 4) % 4


def entry(out, ino, name, mode, data, nlink=1, rdev=(0, 0)):
    """One header, name and data, each padded to 4 bytes (the header is 110)."""
    namez = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(namez), 0]
    hdr = NEWC_MAGIC + b"".join(b"%08X" % f for f in fields)
    out.write(hdr + namez + b"\0" * pad4(len(hdr) + len(namez)))
    out.write(data + b"\0" * pad4(len(data)))


def main():
    top = sys.argv[1]
    out = sys.stdout.buffer
    ino = 1
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted(dirnames) + sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, top)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(path).encode()
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    data = f.read()
            else:
                data = b""
            nlink = 2 if stat.S_ISDIR(st.st_mode) else 1
            entry(out, ino, rel, st.st_mode, data, nlink)
            ino += 1
    # /dev/console (char 5:1), made here so no mknod (root) is needed: the
    # kernel opens it for init's stdin/stdout before anything is mounted.
    entry(out, ino, "dev/console", stat.S_IFCHR | 0o600, b"", 1, (5, 1))
    entry(out, 0, "TRAILER!!!", 0, b"")


if __name__ == "__main__":
    main()
