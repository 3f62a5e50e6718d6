/*
 * hostile_oob: writes guest-physical memory the guest does not have.
 * Under the hypervisor the first such write must end the guest with an
 * EPT-violation diagnostic, so no RESULT line ever appears. If a write
 * goes through (plain QEMU: unbacked addresses swallow writes), the guest
 * reports RESULT hostile_oob fail reason=write-outside-ram-succeeded.
 *
 * Command line (optional):
 *   target=edge   first write just past the end of RAM (the top of the
 *                 memory map's RAM, whole reserved tail included), then
 *                 3 GiB; target=high: 3 GiB first, then the edge
 *   addr=0x...    write this address only instead
 */
#include "guest.h"

#define HIGH_ADDR 0xc0000000u /* 3 GiB: no RAM, no device */
#define OOB_VALUE 0x0b0b0b0bu
#define MAX_TARGETS 2

/*
 * End of everything the memory map describes contiguously from the RAM
 * holding 1 MiB: firmware (SeaBIOS) reserves the top of RAM for ACPI,
 * which is still backed, so the first hole lies past such entries.
 */
static uint64_t ram_edge(void)
{
	uint64_t edge = mbi_ram_end(), base, len;
	uint32_t type;
	int i, grown = 1;

	while (grown) {
		grown = 0;
		for (i = 0; mbi_mmap_entry(i, &base, &len, &type) == 0; i++) {
			if (base == edge && len && base < HIGH_ADDR) {
				edge = base + len;
				grown = 1;
			}
		}
	}
	return edge;
}

static void oob_write(uint32_t addr)
{
	volatile uint32_t *p = (volatile uint32_t *)addr;
	uint32_t back;

	printf("PROGRESS hostile_oob writing addr=0x%x\n", addr);
	*p = OOB_VALUE;
	back = *p;
	printf("PROGRESS hostile_oob write to 0x%x continued readback=0x%x\n",
	       addr, back);
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	uint32_t targets[MAX_TARGETS], n = 0, i;
	uint64_t edge = ram_edge();
	char which[16];

	(void)magic;
	(void)mbi;
	guest_start("hostile_oob");
	printf("PROGRESS hostile_oob ram_end=0x%llx edge=0x%llx\n",
	       (unsigned long long)mbi_ram_end(), (unsigned long long)edge);
	if (edge == 0 || edge >= HIGH_ADDR)
		guest_fail("reason=no-usable-edge edge=0x%llx", (unsigned long long)edge);
	if (cmdline_get("addr", which, sizeof(which))) {
		targets[n++] = (uint32_t)cmdline_u64("addr", HIGH_ADDR);
	} else {
		cmdline_get("target", which, sizeof(which));
		if (!strcmp(which, "high"))
			targets[n++] = HIGH_ADDR;
		targets[n++] = (uint32_t)edge;
		if (strcmp(which, "high"))
			targets[n++] = HIGH_ADDR;
	}
	for (i = 0; i < n; i++)
		oob_write(targets[i]);
	guest_fail("reason=write-outside-ram-succeeded writes=%u", n);
}
