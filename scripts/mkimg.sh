#!/bin/sh
# mkimg.sh ESP_DIR IMG: a GPT disk image with one FAT32 EFI System
# Partition holding ESP_DIR's tree. Boots under OVMF and on real machines
# when written to a USB stick with dd.
#
# Reproducible: the same tree gives the same bytes. GUIDs, volume id and
# every timestamp are fixed (SOURCE_DATE_EPOCH if set), and files go in
# in sorted order so directory entries and clusters never depend on the
# order the host file system lists them in.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 ESP_DIR IMG" >&2; exit 2; }
ESP=$1
IMG=$2
[ -d "$ESP" ] || { echo "mkimg: $ESP is not a directory" >&2; exit 1; }
for tool in sgdisk mkfs.fat mcopy mmd; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "mkimg: $tool not found (make deps installs it)" >&2; exit 1; }
done

# 2000-01-01 00:00:00 UTC: FAT cannot store dates before 1980.
EPOCH=${SOURCE_DATE_EPOCH:-946684800}
# Arbitrary but fixed; "HV" spelled into the first bytes of each.
DISK_GUID=48560000-6469-736b-8000-000000000001
PART_GUID=48560000-6573-7000-8000-000000000001
VOLUME_ID=48564553
LABEL=HVESP

SECTOR=512
# The partition starts at 1 MiB (2048 sectors) and 1 MiB is left at the
# end for the backup GPT (UEFI 2.10, 5.3.1: the last LBA holds its header).
ALIGN_SECTORS=2048
MIN_MIB=64

# FAT stores local time: pin the zone, and let mtools take its own
# timestamps (directories it creates) from SOURCE_DATE_EPOCH.
export TZ=UTC SOURCE_DATE_EPOCH="$EPOCH" MTOOLS_SKIP_CHECK=1

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

# Size: the tree plus a margin for FAT tables and cluster slack, at least
# MIN_MIB so FAT32 gets its minimum of 65525 clusters (FAT spec, 3.5).
content_kib=$(du -sk --apparent-size "$ESP" | cut -f1)
size_mib=$(( (content_kib * 11 / 10) / 1024 + 16 ))
[ "$size_mib" -lt "$MIN_MIB" ] && size_mib=$MIN_MIB
total=$(( size_mib * 1024 * 1024 / SECTOR ))
part_first=$ALIGN_SECTORS
part_last=$(( total - ALIGN_SECTORS - 1 ))
part_sectors=$(( part_last - part_first + 1 ))

rm -f "$IMG"
truncate -s "${size_mib}M" "$IMG"
sgdisk -o -U "$DISK_GUID" \
	-n "1:$part_first:$part_last" -t 1:EF00 -c "1:EFI System" \
	-u "1:$PART_GUID" "$IMG" >/dev/null

PART="$TMP/esp.fat"
truncate -s $(( part_sectors * SECTOR )) "$PART"
# --invariant first: it would otherwise override the volume id given by -i.
mkfs.fat --invariant -F 32 -S "$SECTOR" -i "$VOLUME_ID" -n "$LABEL" \
	"$PART" >/dev/null

# Directories first, parents before children, then files, all sorted.
(cd "$ESP" && find . -mindepth 1 -type d | LC_ALL=C sort) |
while IFS= read -r d; do
	mmd -i "$PART" "::/${d#./}"
done
(cd "$ESP" && find . -type f | LC_ALL=C sort) |
while IFS= read -r f; do
	# A staged copy carries the fixed mtime; the build tree keeps its own.
	cp "$ESP/$f" "$TMP/file"
	touch -d "@$EPOCH" "$TMP/file"
	mcopy -m -i "$PART" "$TMP/file" "::/${f#./}"
done

dd if="$PART" of="$IMG" bs=$SECTOR seek="$part_first" conv=notrunc \
	status=none
