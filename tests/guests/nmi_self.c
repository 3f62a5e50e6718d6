/*
 * nmi_self: NMIs sent to itself through the local APIC's ICR (delivery
 * mode NMI, shorthand self; SDM Vol. 3A 11.6.1), in xAPIC mode. Checks
 * that each one arrives on vector 2, exactly once, while interrupts are
 * off (NMIs ignore IF).
 *
 * Command line: count=20.
 * Output: "RESULT nmi_self ok nmis=N" or "RESULT nmi_self fail reason=...".
 */
#include "apic.h"
#include "guest.h"
#include "idt.h"

#define APIC_ICR_LO 0x300
#define ICR_NMI_SELF 0x40400u /* delivery mode 100b, destination shorthand self */
#define SPIN_LIMIT 10000000u

static volatile uint32_t nmis;

static void nmi_handler(struct trap_frame *f)
{
	(void)f;
	nmis++;
}

static void wait_for(uint32_t want, uint32_t i)
{
	uint32_t spin;

	for (spin = 0; nmis < want && spin < SPIN_LIMIT; spin++)
		cpu_pause();
	if (nmis != want)
		guest_fail("reason=nmi-%s round=%u nmis=%u want=%u",
			   nmis < want ? "lost" : "duplicated", i, nmis, want);
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	uint32_t count, i;

	(void)magic;
	(void)mbi;
	guest_start("nmi_self");
	count = (uint32_t)cmdline_u64("count", 20);
	idt_set_handler(2, nmi_handler);
	if (apic_enable(APIC_XAPIC))
		guest_fail("reason=no-apic");
	for (i = 0; i < count; i++) {
		apic_write(APIC_ICR_LO, ICR_NMI_SELF); /* interrupts off: NMIs still come */
		wait_for(i + 1, i);
	}
	guest_ok("nmis=%u", nmis);
}
