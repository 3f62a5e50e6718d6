/*
 * pc_devices: the legacy PC devices Linux needs, seen from a guest.
 *
 * Command line (optional):
 *   apic=extint  extint: the local APIC on, LVT LINT0 unmasked in ExtINT
 *                mode (virtual wire); off: IA32_APIC_BASE.EN cleared, so
 *                the 8259's INTR goes straight to the CPU
 *   ms=1000      length of the IRQ0 measurement, in TSC time
 *   reset=none   kbc or port92: once every step passed, print "RESET
 *                via=..." and reset the machine (i8042 command 0xFE, or
 *                port 0x92 bit 0) instead of printing RESULT; the
 *                hypervisor then stops the guest, as after a triple fault
 *
 * Steps, each printing a line:
 *   PIC    the 8259A pair initialised to vectors 0x20/0x28, only IRQ0 open
 *   IRQ0   PIT channel 0 in mode 2 at 100 Hz ("IRQ0 armed" once the
 *          first interrupt came): interrupts counted over
 *          ms of TSC time, the rate within 10% of 100 Hz; ISR shows IR0
 *          in the handler and is clear after the EOI
 *   MASK   IRQ0 masked in the IMR: no interrupt in 50 ms
 *   PIT2   channel 2 in mode 0 gated through port 0x61, OUT2 polled in
 *          bit 5 as Linux's pit_calibrate_tsc does: the TSC rate it gives
 *          within 2% of CPUID leaf 0x40000010's; the read-back status
 *          byte says mode 0, LSB then MSB
 *   RTC    date and time read twice, 1.2 s apart: it advanced 1-2 s
 * RESULT ok when all hold, else fail reason=<step>.
 */
#include "apic.h"
#include "guest.h"
#include "idt.h"
#include "timing.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define ICW1_INIT_ICW4 0x11
#define ICW4_8086 0x01
#define OCW2_EOI 0x20
#define OCW3_READ_ISR 0x0b
#define IRQ0_VECTOR 0x20

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_CH0_LOHI_MODE2 0x34
#define PIT_CH2_LOHI_MODE0 0xb0
#define PIT_READ_BACK_STATUS_CH2 0xe8 /* read-back, status only, counter 2 */
#define PORT_B 0x61
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20
#define CALIBRATE_MS 50

#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_UIP 0x80
#define RTC_DM_BINARY 0x04

#define APIC_LVT_LINT0 0x350
#define APIC_DM_EXTINT 0x700
#define MSR_APIC_BASE 0x1b

static volatile uint32_t irq0_count;
static volatile uint32_t isr_bad; /* handler runs that did not see IR0 in service */
static uint64_t tsc_hz;

static void irq0_handler(struct trap_frame *f)
{
	(void)f;
	outb(PIC1_CMD, OCW3_READ_ISR);
	if (!(inb(PIC1_CMD) & 1))
		isr_bad++;
	irq0_count++;
	outb(PIC1_CMD, OCW2_EOI);
}

static void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, 0x20);
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 1 << 2);
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xfe); /* IRQ0 only */
	outb(PIC2_DATA, 0xff);
	printf("PIC imr=0x%x/0x%x\n", inb(PIC1_DATA), inb(PIC2_DATA));
}

static int route_intr(const char *how)
{
	if (!strcmp(how, "off")) {
		wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) & ~(uint64_t)APIC_BASE_EN);
		return 0;
	}
	if (apic_enable(APIC_XAPIC))
		return -1;
	apic_write(APIC_LVT_LINT0, APIC_DM_EXTINT);
	return 0;
}

/* Spin with interrupts on until the TSC has moved by ticks (no HLT: with
 * IRQ0 masked nothing would wake it). */
static void wait_tsc(uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	sti();
	while (rdtsc() - t0 < ticks)
		cpu_pause();
	cli();
}

static int test_irq0(uint64_t ms)
{
	uint32_t divisor = (PIT_HZ + 50) / 100, c0, n, hz_x10;
	uint64_t t0, t1;

	outb(PIT_CMD, PIT_CH0_LOHI_MODE2);
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, divisor >> 8);
	/* the first interrupt starts the window: the phase is then known */
	while (!irq0_count)
		sti_hlt_cli();
	printf("IRQ0 armed divisor=%u\n", divisor);
	c0 = irq0_count;
	t0 = rdtsc();
	wait_tsc(tsc_hz * ms / 1000);
	n = irq0_count - c0;
	t1 = rdtsc();
	hz_x10 = (uint32_t)((uint64_t)n * 10 * tsc_hz / (t1 - t0));
	outb(PIC1_CMD, OCW3_READ_ISR);
	printf("IRQ0 interrupts=%u ms=%u rate_hz=%u.%u isr_bad=%u isr_after=0x%x\n", n,
	       (uint32_t)((t1 - t0) * 1000 / tsc_hz), hz_x10 / 10, hz_x10 % 10, isr_bad,
	       inb(PIC1_CMD));
	return hz_x10 >= 900 && hz_x10 <= 1100 && !isr_bad;
}

static int test_mask(void)
{
	uint32_t before;

	outb(PIC1_DATA, 0xff);
	before = irq0_count;
	wait_tsc(tsc_hz / 20);
	printf("MASK interrupts_while_masked=%u\n", irq0_count - before);
	return irq0_count == before;
}

/* Linux's pit_calibrate_tsc: mode 0 for 50 ms on channel 2, OUT2 polled. */
static int test_pit2(uint32_t cpuid_khz)
{
	uint32_t latch = PIT_HZ / (1000 / CALIBRATE_MS), loops = 0, khz, status;
	uint64_t t1, t2;

	outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_CMD, PIT_CH2_LOHI_MODE0);
	outb(PIT_CH2, latch & 0xff);
	outb(PIT_CH2, latch >> 8);
	t1 = rdtsc();
	while (!(inb(PORT_B) & PORT_B_OUT2))
		loops++;
	t2 = rdtsc();
	khz = (uint32_t)((t2 - t1) / CALIBRATE_MS);
	outb(PIT_CMD, PIT_READ_BACK_STATUS_CH2);
	status = inb(PIT_CH2);
	printf("PIT2 tsc_khz=%u cpuid_khz=%u loops=%u status=0x%x\n", khz, cpuid_khz, loops,
	       status);
	/* OUT high, LSB then MSB (11), mode 0, binary */
	if ((status & 0xbf) != 0xb0 || !loops)
		return 0;
	return khz * 50ull >= cpuid_khz * 49ull && khz * 50ull <= cpuid_khz * 51ull;
}

static uint8_t cmos(uint8_t reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

static unsigned bcd(unsigned v, int binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 15);
}

/* Seconds since midnight, read as Linux's mc146818_get_time does: no UIP, seconds stable. */
static unsigned rtc_read(void)
{
	unsigned s, m, h, d, mo, y;
	int binary;

	for (;;) {
		while (cmos(RTC_REG_A) & RTC_UIP)
			cpu_pause();
		s = cmos(0);
		m = cmos(2);
		h = cmos(4);
		d = cmos(7);
		mo = cmos(8);
		y = cmos(9);
		if (cmos(0) == s && !(cmos(RTC_REG_A) & RTC_UIP))
			break;
	}
	binary = cmos(RTC_REG_B) & RTC_DM_BINARY;
	printf("RTC 20%02u-%02u-%02u %02u:%02u:%02u\n", bcd(y, binary), bcd(mo, binary),
	       bcd(d, binary), bcd(h & 0x7f, binary), bcd(m, binary), bcd(s, binary));
	return bcd(h & 0x7f, binary) * 3600 + bcd(m, binary) * 60 + bcd(s, binary);
}

static int test_rtc(void)
{
	unsigned a = rtc_read(), b, diff;

	wait_tsc(tsc_hz * 12 / 10);
	b = rtc_read();
	diff = (b + 86400 - a) % 86400;
	printf("RTC advanced_s=%u\n", diff);
	return diff >= 1 && diff <= 2;
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	char how[16], reset[16];
	uint32_t khz;

	(void)magic;
	(void)mbi;
	guest_start("pc_devices");
	hv_timing(&khz, NULL);
	if (!khz)
		guest_fail("reason=no-cpuid-timing-leaf");
	tsc_hz = khz * 1000ull;
	if (!cmdline_get("apic", how, sizeof(how)))
		memcpy(how, "extint", 7);
	idt_set_handler(IRQ0_VECTOR, irq0_handler);
	pic_init();
	if (route_intr(how))
		guest_fail("reason=apic");
	if (!test_irq0(cmdline_u64("ms", 1000)))
		guest_fail("reason=irq0-rate");
	if (!test_mask())
		guest_fail("reason=masked-irq-delivered");
	if (!test_pit2(khz))
		guest_fail("reason=pit2-calibration");
	if (!test_rtc())
		guest_fail("reason=rtc");
	if (cmdline_get("reset", reset, sizeof(reset)) && strcmp(reset, "none")) {
		printf("RESET via=%s\n", reset);
		if (!strcmp(reset, "port92"))
			outb(0x92, inb(0x92) | 1);
		else
			outb(0x64, 0xfe); /* pulse the reset line, as Linux's BOOT_KBD reboot */
		guest_fail("reason=reset-ignored");
	}
	guest_ok("apic=%s irq0=%u", how, irq0_count);
}
