#!/bin/sh
# The Linux test guest: Debian's own kernel and busybox, nothing built.
#
#   sh scripts/linux-image.sh BUILD
#
# Downloads linux-image-6.1.*-amd64 (the package linux-image-amd64 depends
# on) and busybox-static with `apt-get download`, unpacks them with
# `dpkg-deb -x` under BUILD/linux/, and writes
#   BUILD/linux/vmlinuz     the kernel's bzImage (/boot/vmlinuz-*)
#   BUILD/linux/initrd.gz   a gzipped cpio (newc) initramfs: busybox + /init
# /init mounts proc and sys, prints the release, CPU model and MemTotal,
# then the marker line tests/integration/test_linux.py waits for, and
# powers off. The kernel's modules are not needed (initramfs only).
#
# When the packages cannot be downloaded (no network, no apt) it says so
# and exits 0: `make` goes on without the Linux guest.
set -eu

BUILD=${1:-build}
OUT=$BUILD/linux
SCRIPTS=$(cd "$(dirname "$0")" && pwd)
MARKER="LINUX-GUEST-OK"

skip()
{
	echo "linux-image: skipped: $*" >&2
	exit 0
}

mkdir -p "$OUT/debs"
command -v apt-get >/dev/null 2>&1 || skip "no apt-get"
command -v dpkg-deb >/dev/null 2>&1 || skip "no dpkg-deb"

# The meta package names the real one (linux-image-6.1.0-NN-amd64).
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || skip "apt-cache does not know linux-image-amd64 (run apt-get update?)"

if ! ls "$OUT/debs/${kpkg}_"*.deb >/dev/null 2>&1 ||
	! ls "$OUT/debs/busybox-static_"*.deb >/dev/null 2>&1; then
	(cd "$OUT/debs" && apt-get download "$kpkg" busybox-static) ||
		skip "apt-get download $kpkg busybox-static failed"
fi

rm -rf "$OUT/kernel" "$OUT/busybox" "$OUT/root"
dpkg-deb -x "$(ls "$OUT/debs/${kpkg}_"*.deb | head -n 1)" "$OUT/kernel"
dpkg-deb -x "$(ls "$OUT/debs/busybox-static_"*.deb | head -n 1)" "$OUT/busybox"
cp "$(ls "$OUT"/kernel/boot/vmlinuz-* | head -n 1)" "$OUT/vmlinuz"

# The initramfs tree: busybox and its applet links, and /init.
root=$OUT/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp "$OUT/busybox/bin/busybox" "$root/bin/busybox"
for applet in sh mount uname grep cat echo poweroff sleep dd md5sum cut date setsid cttyhack; do
	ln -sf busybox "$root/bin/$applet"
done
# The lines go to stdout (the 8250 tty, interrupt-driven through the I/O
# APIC) and to /dev/kmsg, so the kernel log the test scans holds them too.
cat >"$root/init" <<INIT
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say() { echo "\$*"; echo "linux-guest: \$*" >/dev/kmsg; }
say "kernel \$(uname -r)"
say "\$(grep -m 1 'model name' /proc/cpuinfo)"
say "\$(grep MemTotal /proc/meminfo)"
say "$MARKER"
# hvtest=loop (the migration test): instead of powering off, keep writing
# memory and checking it, one LOOP line a second, with a shell on the
# console beside it. Every pass writes 1 MiB of new random data and
# checks the previous pass's and a 4 MiB block written once at start.
if grep -q hvtest=loop /proc/cmdline; then
	dd if=/dev/urandom of=/blob bs=65536 count=64 2>/dev/null
	md5sum /blob >/blob.md5
	(
		n=0
		while :; do
			n=\$((n + 1)); cur=/w\$((n % 2)); prev=/w\$(((n + 1) % 2))
			ok=yes
			md5sum -c -s /blob.md5 || ok=NO
			[ \$n -gt 1 ] && { md5sum -c -s \$prev.md5 || ok=NO; }
			dd if=/dev/urandom of=\$cur bs=65536 count=16 2>/dev/null
			md5sum \$cur >\$cur.md5
			echo "LOOP n=\$n uptime=\$(cut -d' ' -f1 /proc/uptime) wall=\$(date +%s) sums=\$ok"
			sleep 1
		done
	) &
	exec setsid cttyhack sh
fi
poweroff -f
INIT
chmod 755 "$root/init"
python3 "$SCRIPTS/mkcpio.py" "$root" | gzip -9n >"$OUT/initrd.gz"
echo "linux-image: $OUT/vmlinuz ($kpkg) and $OUT/initrd.gz"
