#!/usr/bin/env python3
"""pe-strip-time.py FILE: make a PE32+ EFI application byte-reproducible.

objcopy stamps the build time into the COFF header. This zeroes that
TimeDateStamp and the optional header's CheckSum (UEFI does not check it),
in place, and fails if the file holds the build directory's absolute
path, which would make the output depend on where it was built.

Offsets are from the Microsoft PE/COFF specification (rev. 11):
  0x3c in the MS-DOS stub   e_lfanew, the file offset of "PE\\0\\0"
  signature + 4             COFF file header (20 bytes)
  COFF header + 4           TimeDateStamp (4 bytes)
  signature + 24            optional header; Magic 0x20b means PE32+
  optional header + 64      CheckSum (4 bytes)
"""

import os
import struct
import sys

E_LFANEW_OFFSET = 0x3C
PE_SIGNATURE = b"PE\0\0"
COFF_HEADER_SIZE = 20
TIMEDATESTAMP_OFFSET = 4  # within the COFF header
PE32PLUS_MAGIC = 0x20B
CHECKSUM_OFFSET = 64  # within the optional header


def fail(msg):
    sys.exit(f"pe-strip-time: {msg}")


def header_offsets(data, name):
    """Return (TimeDateStamp offset, CheckSum offset), validating the headers."""
    if len(data) < E_LFANEW_OFFSET + 4 or data[:2] != b"MZ":
        fail(f"{name}: not a PE file (no MZ header)")
    (sig,) = struct.unpack_from("<I", data, E_LFANEW_OFFSET)
    opt = sig + 4 + COFF_HEADER_SIZE
    if opt + CHECKSUM_OFFSET + 4 > len(data):
        fail(f"{name}: PE header offset {sig:#x} lies beyond the file")
    if data[sig:sig + 4] != PE_SIGNATURE:
        fail(f"{name}: no PE signature at {sig:#x}")
    (size_opt,) = struct.unpack_from("<H", data, sig + 4 + 16)
    (magic,) = struct.unpack_from("<H", data, opt)
    if magic != PE32PLUS_MAGIC or size_opt < CHECKSUM_OFFSET + 4:
        fail(f"{name}: not PE32+ (optional header magic {magic:#x})")
    return sig + 4 + TIMEDATESTAMP_OFFSET, opt + CHECKSUM_OFFSET


def check_no_build_path(data, name):
    """Fail if the current directory's absolute path is in the file."""
    cwd = os.getcwd()
    if cwd == os.sep:
        return
    for enc in ("utf-8", "utf-16-le"):
        at = data.find(cwd.encode(enc))
        if at >= 0:
            fail(f"{name}: contains the build directory path {cwd!r} "
                 f"({enc}) at offset {at:#x}; use relative paths or "
                 f"-ffile-prefix-map")


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: pe-strip-time.py FILE")
    name = argv[1]
    try:
        with open(name, "rb") as f:
            data = bytearray(f.read())
    except OSError as e:
        fail(str(e))
    stamp, checksum = header_offsets(data, name)
    data[stamp:stamp + 4] = bytes(4)
    data[checksum:checksum + 4] = bytes(4)
    check_no_build_path(data, name)
    with open(name, "r+b") as f:
        f.write(data)


if __name__ == "__main__":
    main(sys.argv)
