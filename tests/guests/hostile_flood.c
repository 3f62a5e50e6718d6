/*
 * hostile_flood: floods the hypervisor with accesses to I/O ports and
 * MSRs nobody implements. Unassigned ports must read as all ones (0xFF,
 * 0xFFFF, 0xFFFFFFFF: an ISA bus with nothing driving it) and swallow
 * writes; unknown MSRs must raise #GP on RDMSR and WRMSR (SDM Vol. 2B).
 *
 * Command line (optional):
 *   ports=0x100-0x3ef,0x5000-0x50ff   port ranges (inclusive), comma-separated;
 *                     COM1 (0x3f8-0x3ff) and the exit port (0xf4-0xf7) are
 *                     always skipped
 *   writes=1          also write 0 to each port, every width, before reading
 *   msrs=1            0 skips the MSR part
 *
 * Output: "FLOOD ports ..." and "FLOOD msrs ..." lines, up to 16 "BAD ..."
 * lines naming offenders, then RESULT hostile_flood ok with the counts, or
 * fail reason=port-not-all-ones / msr-no-gp.
 */
#include "guest.h"
#include "idt.h"

#define PORTS_DEFAULT "0x100-0x3ef,0x5000-0x50ff"
#define MAX_BAD_LINES 16

/* MSR numbers in no architectural, vendor or paravirtual range. */
static const uint32_t bogus_msrs[] = {
	0x12345678, 0x0000bad0, 0x4000fff0, 0x4b564dff, 0x80000001,
	0xc0011234, 0xdeadbeef, 0xffffffff,
};

struct flood {
	uint32_t reads, writes, bad_reads;
	uint32_t msr_ops, msr_gp, msr_bad;
	uint32_t bad_lines;
};

static int port_skipped(uint32_t port, uint32_t width)
{
	uint32_t end = port + width; /* exclusive */

	return (port < 0x400 && end > 0x3f8) || (port < 0xf8 && end > 0xf4);
}

static uint32_t port_read(uint16_t port, uint32_t width)
{
	if (width == 1)
		return inb(port);
	if (width == 2)
		return inw(port);
	return inl(port);
}

static void port_write(uint16_t port, uint32_t width, uint32_t v)
{
	if (width == 1)
		outb(port, (uint8_t)v);
	else if (width == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
}

static void flood_port(struct flood *fl, uint32_t port, int writes)
{
	uint32_t width;

	for (width = 1; width <= 4; width *= 2) {
		uint32_t ones = width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
		uint32_t v;

		if (port_skipped(port, width) || port + width > 0x10000)
			continue;
		if (writes) {
			port_write((uint16_t)port, width, 0);
			fl->writes++;
		}
		v = port_read((uint16_t)port, width);
		fl->reads++;
		if (v != ones) {
			fl->bad_reads++;
			if (fl->bad_lines++ < MAX_BAD_LINES)
				printf("BAD port=0x%x width=%u read=0x%x\n", port,
				       width, v);
		}
	}
}

/* Parse "a-b,c-d,e" and flood each range; -1 on a malformed list. */
static int flood_ports(struct flood *fl, const char *list, int writes)
{
	const char *p = list;

	while (*p) {
		uint64_t lo, hi;
		uint32_t port;

		if (parse_u64(p, &p, &lo))
			return -1;
		hi = lo;
		if (*p == '-' && parse_u64(p + 1, &p, &hi))
			return -1;
		if (hi > 0xffff || lo > hi || (*p && *p != ','))
			return -1;
		for (port = (uint32_t)lo; port <= hi; port++)
			flood_port(fl, port, writes);
		if (*p == ',')
			p++;
	}
	return 0;
}

static void flood_msr_op(struct flood *fl, uint32_t msr, int write)
{
	uint64_t v = 0;
	int vec = write ? wrmsr_safe(msr, 0) : rdmsr_safe(msr, &v);

	fl->msr_ops++;
	if (vec == VEC_GP) {
		fl->msr_gp++;
		return;
	}
	fl->msr_bad++;
	if (fl->bad_lines++ >= MAX_BAD_LINES)
		return;
	if (vec < 0)
		printf("BAD msr=0x%x op=%s no-fault value=0x%llx\n", msr,
		       write ? "wrmsr" : "rdmsr", (unsigned long long)v);
	else
		printf("BAD msr=0x%x op=%s vector=%d\n", msr,
		       write ? "wrmsr" : "rdmsr", vec);
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	struct flood fl = { 0 };
	char ports[128];
	unsigned i;

	(void)magic;
	(void)mbi;
	guest_start("hostile_flood");
	if (!cmdline_get("ports", ports, sizeof(ports)))
		memcpy(ports, PORTS_DEFAULT, sizeof(PORTS_DEFAULT));
	if (flood_ports(&fl, ports, cmdline_u64("writes", 1) != 0))
		guest_fail("reason=bad-ports-list ports=%s", ports);
	printf("FLOOD ports=%s reads=%u writes=%u not_all_ones=%u\n", ports,
	       fl.reads, fl.writes, fl.bad_reads);
	if (cmdline_u64("msrs", 1)) {
		for (i = 0; i < sizeof(bogus_msrs) / sizeof(bogus_msrs[0]); i++) {
			flood_msr_op(&fl, bogus_msrs[i], 0);
			flood_msr_op(&fl, bogus_msrs[i], 1);
		}
	}
	printf("FLOOD msrs ops=%u gp=%u no_gp=%u\n", fl.msr_ops, fl.msr_gp, fl.msr_bad);
	if (fl.bad_reads)
		guest_fail("reason=port-not-all-ones bad=%u reads=%u", fl.bad_reads,
			   fl.reads);
	if (fl.msr_bad)
		guest_fail("reason=msr-no-gp bad=%u ops=%u", fl.msr_bad, fl.msr_ops);
	guest_ok("port_reads=%u port_writes=%u msr_ops=%u msr_gp=%u", fl.reads,
		 fl.writes, fl.msr_ops, fl.msr_gp);
}
