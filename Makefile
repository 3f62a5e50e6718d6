# The hypervisor's one Makefile (non-recursive). `make help` lists targets.

BUILD    ?= build
LWIP_DIR ?= $(BUILD)/lwip-2.1.3
MBEDTLS_DIR ?= $(BUILD)/mbedtls-2.28.3
EMU      ?= bochs          # make run EMU=bochs|qemu|kvm
EFI_INC  ?= /usr/include/efi
EFI_LIB  ?= /usr/lib

CC       := gcc
HOSTCC   := gcc
CLANG    := clang
OBJCOPY  := objcopy
PYTHON   := python3

WARN := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
        -Wshadow -Wundef -Wno-unused-parameter

# The image: a freestanding, position-independent EFI application. No SSE in
# C code (interrupt paths do not save vector state), frame pointers kept for
# stack traces, no red zone (interrupts arrive on the same stack).
KCFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -Inet -I$(LWIP_DIR)/src/include \
        -I$(MBEDTLS_DIR)/include -ffreestanding -fno-stack-protector -fno-stack-check -fpic \
        -fshort-wchar -mno-red-zone -mgeneral-regs-only \
        -fno-omit-frame-pointer -fno-common -fno-strict-aliasing \
        -ffile-prefix-map=$(CURDIR)=. -DHV_IMAGE=1
EFICFLAGS := -isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 -DGNU_EFI_USE_MS_ABI \
        -maccumulate-outgoing-args
KLDFLAGS := -nostdlib -shared -Bsymbolic -znocombreloc -T linker.ld \
        --build-id=none --no-undefined

# ---------------------------------------------------------------- sources
# The layers, bottom up (docs/architecture.md): lib/ (no dependencies),
# arch/x86/, kernel/, net/, migrate/, and on top kernel/main.c and
# kernel/mainloop.c, the only files that name every layer.
#
# Pure logic: compiled into the image and, for the unit tests, for the host.
LIB_SRCS := lib/fmt.c lib/json.c lib/reply.c lib/lineedit.c lib/cmdline.c lib/psk.c \
        lib/memmap.c lib/palloc.c lib/crc32.c lib/outq.c lib/table.c
PURE_SRCS := $(LIB_SRCS) kernel/config.c kernel/guest_spec.c kernel/log_level.c \
        arch/x86/vmxcap.c arch/x86/vmx_names.c arch/x86/cpuid_filter.c arch/x86/ept.c \
        arch/x86/insn.c arch/x86/insn_alu.c arch/x86/insn_walk.c arch/x86/vmcs_state.c \
        arch/x86/boot_state.c arch/x86/boot_paging.c arch/x86/cpu_check.c \
        kernel/multiboot.c kernel/multiboot_image.c kernel/bzimage.c kernel/linux_zeropage.c \
        kernel/linux_load.c kernel/acpi_tables.c kernel/acpi_pm.c kernel/vuart.c kernel/vlapic.c \
        kernel/vlapic_regs.c kernel/vlapic_timer.c kernel/vlapic_state.c \
        kernel/hpet.c kernel/hpet_state.c \
        kernel/vpic.c kernel/vpit.c kernel/vrtc.c kernel/vkbc.c kernel/pcdev.c kernel/pc_firmware.c kernel/vioapic.c \
        kernel/guest_state.c kernel/profile_table.c \
        net/e1000_ring.c net/virtqueue.c net/netbench_stream.c net/chksum.c \
        kernel/dirty_bitmap.c kernel/dirty_log.c arch/x86/pml.c arch/x86/dirty_ept.c \
        arch/x86/dirty_ad.c arch/x86/dirty_pml.c arch/x86/dirty_wp.c migrate/stream.c \
        migrate/ack.c migrate/precopy.c migrate/target.c migrate/send_phase.c \
        migrate/delta.c migrate/send_page.c migrate/tls_keys.c migrate/cmd_tls.c

BOOT_SRCS := boot/efi_main.c boot/efi_files.c
ARCH_SRCS := arch/x86/cpu.c arch/x86/gdt.c arch/x86/idt.c arch/x86/trap.c \
        arch/x86/paging.c arch/x86/uart.c arch/x86/apic.c arch/x86/pit.c \
        arch/x86/acpi.c arch/x86/power.c arch/x86/entry.S arch/x86/isr.S \
        arch/x86/vmx.c arch/x86/vmx_entry.S arch/x86/vcpu.c arch/x86/vmexit.c \
        arch/x86/vmexit_msr.c arch/x86/vmexit_io.c arch/x86/pci.c arch/x86/vcpu_state.c \
        arch/x86/vcpu_report.c arch/x86/dirty_vmx.c arch/x86/entropy.c
KERNEL_SRCS := lib/string.c kernel/main.c kernel/log.c kernel/panic.c \
        kernel/physmem.c kernel/clock.c kernel/console.c kernel/cmd_system.c \
        kernel/cmd_debug.c kernel/bootinfo.c kernel/printk.c kernel/guest.c \
        kernel/guest_boot.c kernel/sched.c kernel/vio.c kernel/cmd_guest.c kernel/mainloop.c \
        kernel/cmd_profile.c kernel/snapshot.c kernel/console_out.c \
        kernel/dirty_guest.c kernel/dirty_verify.c kernel/cmd_dirty.c
NET_SRCS := net/net.c net/nic.c net/netif.c net/e1000.c net/virtio_net.c \
        net/virtio_pci.c net/ping.c net/netbench.c net/cmd_net.c net/rawframes.c
# Ours that include mbedTLS's headers (net/mbedtls.mk gives them MBEDTLS_DEFS).
MTLS_SRCS := migrate/tls.c migrate/tls_error.c
MIGRATE_SRCS := migrate/transfer.c migrate/channel.c migrate/sender.c migrate/send_end.c migrate/receiver.c \
        migrate/migrate.c migrate/cmd_migrate.c $(MTLS_SRCS) migrate/tls_platform.c \
        migrate/cmd_tls_selftest.c

DEPS_STAMP := $(BUILD)/.deps-ok
include net/lwip.mk
include net/mbedtls.mk
include tests/guests/guests.mk
include tests/kut/kut.mk

IMAGE_SRCS := $(BOOT_SRCS) $(ARCH_SRCS) $(KERNEL_SRCS) $(PURE_SRCS) \
        $(NET_SRCS) $(MIGRATE_SRCS)
IMAGE_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(IMAGE_SRCS)) $(LWIP_OBJS) $(MBEDTLS_OBJS)

EFI_APP := $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI
ESP_GUESTS := $(patsubst $(BUILD)/guests/%,$(BUILD)/esp/guests/%,$(GUEST_ELFS))
DISK    := $(BUILD)/hv.img

.PHONY: all deps esp linux-esp image run run-bochs run-qemu run-kvm test test-unit \
        test-integration test-migrate-long test-linux kut test-kut test-kut-fast fuzz mutate bench bench-linux-boot demo \
        check-headers clean distclean help
.DEFAULT_GOAL := all

all: $(EFI_APP) $(BUILD)/esp/hv.cfg $(ESP_GUESTS) $(DISK) kut linux-esp

help:
	@echo "make            build the ESP tree ($(BUILD)/esp) and disk image ($(DISK))"
	@echo "make deps       install Debian packages and fetch lwIP (done by the others too)"
	@echo "make linux-esp  Debian's kernel + busybox initramfs into $(BUILD)/esp-linux (done by all)"
	@echo "make run        boot in an emulator, console on this terminal (EMU=bochs|qemu|kvm)"
	@echo "make test       unit + sanitizer + fuzz smoke + emulator tests, ends 'N passed, M failed, K skipped'"
	@echo "make test-unit  host unit tests, plain and under ASan/UBSan"
	@echo "make test-integration  boot tests in Bochs, QEMU/TCG (and QEMU/KVM when nested VMX exists)"
	@echo "make test-linux  Debian's Linux kernel booted to its initramfs in Bochs (not in make test)"
	@echo "make test-migrate-long  busy 32- and 64-bit guests moved back and forth in Bochs (long; not in make test)"
	@echo "make kut        build kvm-unit-tests (x86_64, i386) into $(BUILD)/kut"
	@echo "make test-kut   every kvm-unit-test under the hypervisor in Bochs (KUT_EMU=qemu: QEMU/TCG)"
	@echo "make fuzz       run the libFuzzer targets longer (FUZZ_SECONDS=60)"
	@echo "make mutate     mutation testing of the pure modules (MUTATE_CAP per module, MUTATE_SEED)"
	@echo "make bench      benchmarks (bench/), tables of ratios"
	@echo "make demo       two hypervisors in Bochs on a bxhub: a running guest migrated there and back"
	@echo "make check-headers  every header compiles on its own"
	@echo "make clean      remove build outputs but keep fetched sources"

# ---------------------------------------------------------------- set-up
deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/setup.sh
	@LWIP_DIR="$(LWIP_DIR)" MBEDTLS_DIR="$(MBEDTLS_DIR)" BUILD="$(BUILD)" sh scripts/setup.sh
	@mkdir -p $(BUILD) && touch $@

# ---------------------------------------------------------------- image
$(BUILD)/obj/boot/%.c.o: boot/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(EFICFLAGS) -MMD -c $< -o $@

$(BUILD)/obj/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -c $< -o $@

$(BUILD)/obj/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -c $< -o $@

# gnu-efi's libefi defines byte-at-a-time memcpy/memset (lib/init.c); a copy
# with those symbols made weak lets lib/string.c's rep-movsb versions win.
$(BUILD)/libefi.a: $(EFI_LIB)/libefi.a | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(OBJCOPY) -W memcpy -W memset $< $@

$(BUILD)/hv.so: $(IMAGE_OBJS) linker.ld $(BUILD)/libefi.a
	ld $(KLDFLAGS) $(EFI_LIB)/crt0-efi-x86_64.o $(IMAGE_OBJS) \
		$(EFI_LIB)/libgnuefi.a $(BUILD)/libefi.a -o $@

$(EFI_APP): $(BUILD)/hv.so scripts/pe-strip-time.py
	@mkdir -p $(dir $@)
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .reloc --target=efi-app-x86_64 --subsystem=10 $< $@.tmp
	$(PYTHON) scripts/pe-strip-time.py $@.tmp
	mv $@.tmp $@

$(BUILD)/esp/hv.cfg: scripts/hv.cfg
	@mkdir -p $(BUILD)/esp/guests
	cp $< $@

# The test guests ride along on the ESP, as operators' guests would.
$(BUILD)/esp/guests/%.elf: $(BUILD)/guests/%.elf
	@mkdir -p $(dir $@)
	cp $< $@

esp: $(EFI_APP) $(BUILD)/esp/hv.cfg $(ESP_GUESTS)

# The Linux test guest (scripts/linux-image.sh): Debian's kernel and a
# busybox initramfs. When the packages cannot be downloaded the script
# says so and make goes on; delete $(LINUX_STAMP) to try again. The files
# go into a second ESP tree, $(BUILD)/esp-linux (the ESP plus
# guests/vmlinuz and guests/initrd.gz), not into $(BUILD)/esp: the
# hypervisor reads every guest file at boot, and 9 MB through Bochs's
# emulated disk would add about a minute and a half to every Bochs boot.
LINUX_STAMP := $(BUILD)/linux/.done
LINUX_ESP   := $(BUILD)/esp-linux
$(LINUX_STAMP): scripts/linux-image.sh scripts/mkcpio.py
	@mkdir -p $(dir $@)
	sh scripts/linux-image.sh $(BUILD)
	@touch $@

linux-esp: esp $(LINUX_STAMP)
	@if [ -f $(BUILD)/linux/vmlinuz ] && [ -f $(BUILD)/linux/initrd.gz ]; then \
		rm -rf $(LINUX_ESP) && cp -r $(BUILD)/esp $(LINUX_ESP) && \
		cp $(BUILD)/linux/vmlinuz $(BUILD)/linux/initrd.gz $(LINUX_ESP)/guests/; \
	else echo "linux-esp: no Linux image in $(BUILD)/linux (see scripts/linux-image.sh); skipped"; fi

# bench/linux_boot.py's direct boot: a UEFI app that starts Linux's EFI stub.
LINUXBOOT := $(BUILD)/bench/linuxboot.efi
$(BUILD)/obj/bench/linuxboot/linuxboot.c.o: bench/linuxboot/linuxboot.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(EFICFLAGS) -MMD -c $< -o $@

$(BUILD)/bench/linuxboot.so: $(BUILD)/obj/bench/linuxboot/linuxboot.c.o
	@mkdir -p $(dir $@)
	ld -nostdlib -shared -Bsymbolic -znocombreloc -T $(EFI_LIB)/elf_x86_64_efi.lds \
		$(EFI_LIB)/crt0-efi-x86_64.o $< $(EFI_LIB)/libgnuefi.a $(EFI_LIB)/libefi.a -o $@

$(LINUXBOOT): $(BUILD)/bench/linuxboot.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .reloc --target=efi-app-x86_64 --subsystem=10 $< $@

image: $(DISK)
$(DISK): $(EFI_APP) $(BUILD)/esp/hv.cfg $(ESP_GUESTS) scripts/mkimg.sh
	sh scripts/mkimg.sh $(BUILD)/esp $@

# ---------------------------------------------------------------- run
run: all
	sh scripts/run.sh $(strip $(EMU)) $(BUILD)
run-bochs: all
	sh scripts/run.sh bochs $(BUILD)
run-qemu: all
	sh scripts/run.sh qemu $(BUILD)
run-kvm: all
	sh scripts/run.sh kvm $(BUILD)

# ---------------------------------------------------------------- tests
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Wno-missing-prototypes -I. -Ithird_party/greatest
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_TESTS  := $(basename $(notdir $(wildcard tests/unit/test_*.c)))
UNIT_BINS   := $(patsubst %,$(BUILD)/unit/%,$(UNIT_TESTS))
ASAN_BINS   := $(patsubst %,$(BUILD)/unit-asan/%,$(UNIT_TESTS))
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -O1 -g -I. -fno-sanitize-recover=all
FUZZ_LIB    := $(BUILD)/fuzz/libpure.a
FUZZ_OBJS   := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(PURE_SRCS))

# The pure modules are compiled once per flavour into an archive each test
# links against (the linker takes only what the test uses).
PURE_HDRS := $(wildcard lib/*.h kernel/*.h arch/x86/*.h net/*.h migrate/*.h tests/unit/*.h tests/fuzz/*.h)
PURE_OBJS := $(patsubst %.c,$(BUILD)/unit/obj/%.o,$(PURE_SRCS))
PURE_ASAN_OBJS := $(patsubst %.c,$(BUILD)/unit-asan/obj/%.o,$(PURE_SRCS))

$(BUILD)/unit/obj/%.o: %.c $(PURE_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/unit-asan/obj/%.o: %.c $(PURE_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/unit/libpure.a: $(PURE_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/unit-asan/libpure.a: $(PURE_ASAN_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/unit/libpure.a $(PURE_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $< $(BUILD)/unit/libpure.a -o $@

$(BUILD)/unit-asan/%: tests/unit/%.c $(BUILD)/unit-asan/libpure.a $(PURE_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $< $(BUILD)/unit-asan/libpure.a -o $@

include tests/unit/lwip_host.mk
include tests/unit/tls_host.mk

# The pure modules compiled once with the fuzzer's instrumentation
# (fuzzer-no-link: libFuzzer's main comes in with each target's link), not
# once per target: 19 targets used to compile them 19 times.

$(BUILD)/fuzz/obj/%.o: %.c $(PURE_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(PURE_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $< $(FUZZ_LIB) -o $@

# The real console and command table over a host stand-in for the rest of
# the core (tests/fuzz/fuzz_commands.c says what it cannot reach).
FUZZ_CORE_SRCS := tests/fuzz/host_core.c kernel/console.c kernel/cmd_system.c \
        kernel/cmd_guest.c net/cmd_net.c tests/fuzz/host_migrate.c migrate/cmd_migrate.c
$(BUILD)/fuzz/fuzz_commands: tests/fuzz/fuzz_commands.c $(FUZZ_CORE_SRCS) $(FUZZ_LIB) \
		$(wildcard kernel/*.h net/*.h migrate/*.h tests/fuzz/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -Inet -I$(LWIP_DIR)/src/include -fsanitize=fuzzer,address,undefined \
		$< $(FUZZ_CORE_SRCS) $(FUZZ_LIB) -o $@

test-unit: $(UNIT_BINS) $(ASAN_BINS)
	@sh scripts/run-unit.sh $(BUILD) $(UNIT_BINS) $(ASAN_BINS)

test-fuzz-smoke: $(FUZZ_BINS)
	@sh scripts/run-fuzz.sh $(BUILD) 10 $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@sh scripts/run-fuzz.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_BINS)

# Mutation testing: sampled mutants of each PURE_SRCS module against its
# unit tests; caught share per module, survivors by file:line.
MUTATE_CAP  ?= 40
MUTATE_SEED ?= 14
mutate: $(DEPS_STAMP)
	@$(PYTHON) scripts/mutate.py --build $(BUILD) --cap $(MUTATE_CAP) --seed $(MUTATE_SEED) --jobs 2

test-integration: all
	@$(PYTHON) tests/integration/run.py --build $(BUILD)

# The migration tests too long for `make test` (marked long=True), with the
# others: the busy guest (cancel, retry, destination killed in the first
# pass), the destination killed in a later round and in stop-and-copy,
# and round trips of busy 32- and 64-bit guests (tests/integration/test_migrate_long.py).
test-migrate-long: all
	@$(PYTHON) tests/integration/run.py --build $(BUILD) --emu bochs --long -k test_migrate

# Debian's kernel booted under the hypervisor (about 3 minutes of Bochs;
# kept out of `make test` for CI's time budget): tests/integration/test_linux.py.
test-linux: all
	@$(PYTHON) tests/integration/run.py --build $(BUILD) --emu bochs --long -k test_linux

# Every stage records its counts in $(BUILD)/results; the summary adds
# them up, so one failing stage still lets the others run and report.
# Builds run on every core; scripts/stage.sh times each stage for the summary.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
STAGE = sh scripts/stage.sh $(BUILD)/results
test: $(DEPS_STAMP)
	@rm -rf $(BUILD)/results && mkdir -p $(BUILD)/results
	-@$(STAGE) headers $(MAKE) --no-print-directory -j$(JOBS) check-headers
	-@$(STAGE) unit $(MAKE) --no-print-directory -j$(JOBS) test-unit
	-@$(STAGE) fuzz $(MAKE) --no-print-directory -j$(JOBS) test-fuzz-smoke
	-@$(STAGE) integration $(MAKE) --no-print-directory -j$(JOBS) test-integration
	-@$(STAGE) kut $(MAKE) --no-print-directory -j$(JOBS) test-kut-fast
	@sh scripts/test-summary.sh $(BUILD)/results

check-headers:
	@sh scripts/check-headers.sh $(BUILD) "$(KCFLAGS)" "$(EFICFLAGS)"

bench: all $(LINUXBOOT)
	@$(PYTHON) bench/run.py --build $(BUILD)
	@$(PYTHON) bench/snapshot.py --build $(BUILD)
	@$(PYTHON) bench/net.py --build $(BUILD)
	@$(PYTHON) bench/dirty.py --build $(BUILD)
	@$(PYTHON) bench/migrate.py --build $(BUILD)
	@$(PYTHON) bench/linux_boot.py --build $(BUILD)

bench-linux-boot: all $(LINUXBOOT)
	@$(PYTHON) bench/linux_boot.py --build $(BUILD)

# The README's headline: live migration between two hypervisors, shown.
# LINUX=1: the guest is Debian's kernel (make linux-esp), not the workload.
demo: all
	@$(PYTHON) scripts/demo.py --build $(BUILD) $(if $(LINUX),--linux)

clean:
	rm -rf $(BUILD)/obj $(BUILD)/esp $(BUILD)/esp-linux $(BUILD)/unit $(BUILD)/unit-asan \
		$(BUILD)/fuzz $(BUILD)/hv.so $(DISK) $(BUILD)/results $(BUILD)/run \
		$(BUILD)/kut

distclean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
