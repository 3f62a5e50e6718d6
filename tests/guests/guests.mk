# The hypervisor's test guests: 32-bit multiboot (v1) ELF kernels, loaded
# at 1 MiB. Included by the top-level Makefile, which sets BUILD and CC.
# Needs no gcc-multilib: only GCC's freestanding headers are used and the
# 64-bit division helpers live in lib/libgcc.c.

GUEST_DIR   := tests/guests
GUEST_NAMES := workload hostile_oob hostile_triple hostile_vmx \
        hostile_flood hostile_spin apic_timer cpuid_bench hostile_serial nmi_self realmode \
        dirty_pages pc_devices
GUEST_ELFS  := $(patsubst %,$(BUILD)/guests/%.elf,$(GUEST_NAMES)) $(BUILD)/guests/long64.elf

GUEST_CFLAGS := -m32 -std=gnu11 -ffreestanding -fno-pic -fno-stack-protector \
        -nostdlib -O2 -Wall -Wextra -Werror -Wshadow -Wundef \
        -Wstrict-prototypes -Wmissing-prototypes -mgeneral-regs-only \
        -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
        -ffile-prefix-map=$(CURDIR)=. -I$(GUEST_DIR)/lib
GUEST_LDFLAGS := -m elf_i386 -T $(GUEST_DIR)/link.ld --build-id=none -nostdlib

GUEST_LIB_SRCS := guest.c serial.c printf.c string.c libgcc.c idt.c isr.S wlcore.c \
        timing.c apic.c
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/guests/obj/lib/%.o,$(GUEST_LIB_SRCS))
GUEST_LIB      := $(BUILD)/guests/libguest.a
GUEST_CRT0     := $(BUILD)/guests/obj/lib/crt0.S.o
GUEST_HDRS     := $(wildcard $(GUEST_DIR)/lib/*.h)
GUEST_MAIN_OBJS := $(patsubst %,$(BUILD)/guests/obj/%.c.o,$(GUEST_NAMES))

# Keep the objects make would otherwise delete as intermediates.
.SECONDARY: $(GUEST_MAIN_OBJS) $(GUEST_CRT0)

.PHONY: guests
guests: $(GUEST_ELFS)

$(BUILD)/guests/obj/%.c.o: $(GUEST_DIR)/%.c $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guests/obj/%.S.o: $(GUEST_DIR)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_LIB): $(GUEST_LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

# Archive last: each guest pulls in only the library objects it uses.
$(BUILD)/guests/%.elf: $(BUILD)/guests/obj/%.c.o $(GUEST_CRT0) $(GUEST_LIB) \
		$(GUEST_DIR)/link.ld
	ld $(GUEST_LDFLAGS) $(GUEST_CRT0) $< $(GUEST_LIB) -o $@

# The 64-bit guest (long64/): its own objects, built for x86-64 from the
# same portable library sources, linked as ELF64 and carried in ELF32 for
# the multiboot v1 loader.
LONG64_CFLAGS := $(filter-out -m32,$(GUEST_CFLAGS)) -m64 -mno-red-zone -mcmodel=small
LONG64_LIB_SRCS := guest.c serial.c printf.c string.c timing.c wlcore.c
LONG64_OBJS := $(BUILD)/guests/obj64/crt0.S.o $(BUILD)/guests/obj64/long64.c.o \
        $(BUILD)/guests/obj64/support.c.o \
        $(patsubst %,$(BUILD)/guests/obj64/lib/%.o,$(LONG64_LIB_SRCS))

$(BUILD)/guests/obj64/lib/%.c.o: $(GUEST_DIR)/lib/%.c $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LONG64_CFLAGS) -c $< -o $@

$(BUILD)/guests/obj64/%.o: $(GUEST_DIR)/long64/% $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LONG64_CFLAGS) -c $< -o $@

$(BUILD)/guests/long64.elf: $(LONG64_OBJS) $(GUEST_DIR)/long64/link.ld
	ld -m elf_x86_64 -T $(GUEST_DIR)/long64/link.ld --build-id=none -nostdlib \
		$(LONG64_OBJS) -o $@.64
	objcopy -O elf32-i386 $@.64 $@
