/*
 * Port I/O exits (IN/OUT and the string forms INS/OUTS, with REP) and EPT
 * violations: MMIO to the guest's local APIC page and to its platform
 * devices (the HPET page, kernel/vio.c) is emulated by decoding the
 * faulting instruction; any other access outside guest RAM stops the
 * guest with the address, the access and RIP.
 */
#include "arch/x86/insn.h"
#include "arch/x86/vmexit.h"
#include "arch/x86/vmx.h"
#include "arch/x86/cpu.h"
#include "kernel/dirty_guest.h"
#include "kernel/log.h"
#include "kernel/vio.h"

#define STRING_IO_BATCH 1024 /* iterations per exit; REP resumes where it stopped */
#define RFLAGS_DF (1ULL << 10)
#define AR_L (1U << 13)
#define AR_DB (1U << 14)
#define EFER_LMA_BIT (1ULL << 10)
#define APIC_PAGE_MASK (~0xfffULL)

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static void load_paging(struct guest_paging *pg)
{
	pg->cr0 = vmcs_read(VMCS_GUEST_CR0);
	pg->cr3 = vmcs_read(VMCS_GUEST_CR3);
	pg->cr4 = vmcs_read(VMCS_GUEST_CR4);
	pg->efer = vmcs_read(VMCS_GUEST_IA32_EFER);
}

/* Copy between a guest-linear range and buf, page by page through the guest's tables. */
static int copy_linear(const struct guest_ram *ram, uint64_t linear, void *buf, size_t n, bool write)
{
	struct guest_paging pg;
	uint8_t *p = buf;
	gpa_t gpa;

	load_paging(&pg);
	while (n) {
		size_t chunk = MIN(n, PAGE_SIZE - (linear & 0xfff));
		int err = guest_linear_to_phys(&pg, ram, linear, &gpa);

		if (!err)
			err = write ? ram->write(ram->ctx, gpa, p, chunk)
				    : ram->read(ram->ctx, gpa, p, chunk);
		if (err)
			return err;
		linear += chunk;
		p += chunk;
		n -= chunk;
	}
	return 0;
}

static enum exit_action port_io_simple(struct vcpu *v, uint16_t port, unsigned size, bool in)
{
	uint64_t rax = v->gpr[GPR_RAX];

	if (in) {
		uint32_t val = vio_in(v->guest, port, size);

		/* IN to EAX zero-extends into RAX; AL and AX merge */
		v->gpr[GPR_RAX] = size == 4 ? val : (rax & ~size_mask(size)) | val;
	} else if (!vio_out(v->guest, port, size, (uint32_t)(rax & size_mask(size)))) {
		return EXIT_STOP; /* it ended itself through the exit port */
	}
	vmexit_skip_instruction();
	return in && vio_take_yield(v->guest) ? EXIT_YIELD : EXIT_RESUME;
}

struct string_io {
	uint16_t port;
	unsigned size;
	bool in, rep;
	uint64_t addr_mask;
	uint64_t seg_base;
	int step;
};

static void string_io_decode(struct string_io *s, uint64_t qual)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_EXIT_INSTRUCTION_INFO);
	bool have_info = vmx_get_caps()->insouts_info;
	unsigned asz = have_info ? (info >> 7) & 7 : 1; /* 0: 16-bit, 1: 32-bit, 2: 64-bit */
	unsigned seg = have_info ? (info >> 15) & 7 : 3; /* OUTS source segment, default DS */

	s->port = (uint16_t)(qual >> IO_QUAL_PORT_SHIFT);
	s->size = (unsigned)(qual & IO_QUAL_SIZE_MASK) + 1;
	s->in = qual & IO_QUAL_IN;
	s->rep = qual & IO_QUAL_REP;
	s->addr_mask = asz == 0 ? 0xffff : asz == 1 ? 0xffffffffULL : ~0ULL;
	/* INS always writes ES:rDI; OUTS reads seg:rSI (ES=0 ... GS=5, 25.4.1 order) */
	s->seg_base = vmcs_read(VMCS_GUEST_ES_BASE + (s->in ? 0 : seg) * 2);
	s->step = (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_DF) ? -(int)s->size : (int)s->size;
}

static enum exit_action port_io_string(struct vcpu *v, uint64_t qual)
{
	struct string_io s;
	unsigned reg, i;
	uint64_t count;

	string_io_decode(&s, qual);
	reg = s.in ? GPR_RDI : GPR_RSI;
	count = s.rep ? v->gpr[GPR_RCX] & s.addr_mask : 1;
	for (i = 0; i < STRING_IO_BATCH && count; i++, count--) {
		uint64_t off = v->gpr[reg] & s.addr_mask;
		uint32_t val = 0;
		int err;

		if (s.in) {
			val = vio_in(v->guest, s.port, s.size);
			err = copy_linear(v->ram, s.seg_base + off, &val, s.size, true);
		} else {
			err = copy_linear(v->ram, s.seg_base + off, &val, s.size, false);
			if (!err && !vio_out(v->guest, s.port, s.size, val))
				return EXIT_STOP; /* ended itself through the exit port */
		}
		if (err) {
			vcpu_stop(v, "string I/O on port 0x%x at unmapped address 0x%lx",
				   s.port, s.seg_base + off);
			return EXIT_STOP;
		}
		v->gpr[reg] = (v->gpr[reg] & ~s.addr_mask) | ((off + s.step) & s.addr_mask);
		if (s.rep)
			v->gpr[GPR_RCX] = (v->gpr[GPR_RCX] & ~s.addr_mask) | ((count - 1) & s.addr_mask);
	}
	if (!count)
		vmexit_skip_instruction();
	return EXIT_RESUME;
}

enum exit_action vmexit_io(struct vcpu *v, uint64_t qual)
{
	if (qual & IO_QUAL_STRING)
		return port_io_string(v, qual);
	return port_io_simple(v, (uint16_t)(qual >> IO_QUAL_PORT_SHIFT),
			      (unsigned)(qual & IO_QUAL_SIZE_MASK) + 1, qual & IO_QUAL_IN);
}

static enum insn_mode guest_mode(void)
{
	uint32_t ar = (uint32_t)vmcs_read(VMCS_GUEST_CS_AR);

	if (!(vmcs_read(VMCS_GUEST_CR0) & CR0_PE))
		return INSN_MODE_REAL16;
	if ((vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA_BIT) && (ar & AR_L))
		return INSN_MODE_LONG64;
	return (ar & AR_DB) ? INSN_MODE_PROT32 : INSN_MODE_PROT16;
}

/* Read up to 15 bytes at CS:RIP; fewer when a later page is unmapped. */
static int fetch_insn(const struct guest_ram *ram, enum insn_mode mode, uint8_t *buf)
{
	uint64_t linear = vmcs_read(VMCS_GUEST_CS_BASE) + vmcs_read(VMCS_GUEST_RIP);
	struct guest_paging pg;

	if (mode != INSN_MODE_LONG64)
		linear &= 0xffffffffULL;
	load_paging(&pg);
	return insn_fetch(&pg, ram, linear, buf, INSN_MAX_LEN);
}

/*
 * A device behind an MMIO page, as the emulation sees it: reads and
 * writes of the decoded instruction's width at guest TSC now.
 */
struct mmio_dev {
	const char *name;
	int (*read)(struct vcpu *v, gpa_t gpa, unsigned size, uint64_t now, uint64_t *val);
	int (*write)(struct vcpu *v, gpa_t gpa, unsigned size, uint64_t val, uint64_t now);
};

/* The xAPIC page: its registers are 32 bits; narrower reads take their part. */
static int apic_read(struct vcpu *v, gpa_t gpa, unsigned size, uint64_t now, uint64_t *val)
{
	uint32_t off = (uint32_t)(gpa & 0xfff), reg = 0;

	vlapic_mmio_read(&v->lapic, off & ~3U, now, &reg);
	*val = (reg >> ((off & 3) * 8)) & size_mask(size);
	return 0;
}

/* APIC registers take 32-bit aligned writes only (SDM Vol. 3A 11.4.1); others are dropped */
static int apic_write(struct vcpu *v, gpa_t gpa, unsigned size, uint64_t val, uint64_t now)
{
	uint32_t off = (uint32_t)(gpa & 0xfff);

	if (size != 4 || (off & 3))
		return -EINVAL;
	return vlapic_mmio_write(&v->lapic, off, (uint32_t)val, now);
}

/* The platform devices (HPET, I/O APIC) live with the guest: kernel/vio.c. */
static int platform_read(struct vcpu *v, gpa_t gpa, unsigned size, uint64_t now, uint64_t *val)
{
	return vio_mmio_read(v->guest, gpa, size, now, val);
}

static int platform_write(struct vcpu *v, gpa_t gpa, unsigned size, uint64_t val, uint64_t now)
{
	return vio_mmio_write(v->guest, gpa, size, val, now);
}

static const struct mmio_dev apic_dev = { "APIC", apic_read, apic_write };
static const struct mmio_dev platform_dev = { "HPET/I/O APIC", platform_read, platform_write };

/* OR/AND into a register: read, combine, write back, and the flags the CPU would leave. */
static void mmio_rmw(struct vcpu *v, const struct mmio_dev *dev, const struct insn *in,
		     gpa_t gpa, uint64_t now)
{
	uint64_t old = 0, rflags = vmcs_read(VMCS_GUEST_RFLAGS), res;

	dev->read(v, gpa, in->size, now, &old);
	res = insn_alu_result(in, old, insn_write_value(in, vmexit_get_reg(v, in->reg)), &rflags);
	dev->write(v, gpa, in->size, res, now);
	vmcs_write(VMCS_GUEST_RFLAGS, rflags);
}

static void mmio_access(struct vcpu *v, const struct mmio_dev *dev, const struct insn *in,
			gpa_t gpa)
{
	uint64_t now = vcpu_guest_tsc(v, rdtsc()), val = 0;

	switch (in->kind) {
	case INSN_MMIO_READ:
		dev->read(v, gpa, in->size, now, &val);
		vmexit_set_reg(v, in->reg, insn_merge_read(in, vmexit_get_reg(v, in->reg), val));
		break;
	case INSN_MMIO_WRITE:
		dev->write(v, gpa, in->size, insn_write_value(in, vmexit_get_reg(v, in->reg)), now);
		break;
	case INSN_MMIO_RMW:
		mmio_rmw(v, dev, in, gpa, now);
		break;
	}
}

/* Decode the faulting instruction and emulate its access to dev. */
static enum exit_action mmio_emulate(struct vcpu *v, const struct mmio_dev *dev, gpa_t gpa)
{
	enum insn_mode mode = guest_mode();
	uint8_t bytes[INSN_MAX_LEN] = { 0 };
	struct insn in;
	int n = fetch_insn(v->ram, mode, bytes);

	if (n <= 0 || insn_decode(bytes, (size_t)n, mode, &in)) {
		vcpu_stop(v, "unsupported instruction for %s MMIO at RIP 0x%lx: %02x %02x %02x %02x",
			   dev->name, vmcs_read(VMCS_GUEST_RIP), bytes[0], bytes[1], bytes[2], bytes[3]);
		return EXIT_STOP;
	}
	mmio_access(v, dev, &in, gpa);
	vmexit_skip_bytes(in.len); /* the decoded length: no exit length for EPT violations */
	return EXIT_RESUME;
}

enum exit_action vmexit_ept_violation(struct vcpu *v, uint64_t qual)
{
	gpa_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);

	if ((gpa & APIC_PAGE_MASK) == (v->lapic.apic_base & 0xfffff000ULL))
		return mmio_emulate(v, &apic_dev, gpa);
	if (vio_mmio_claims(v->guest, gpa))
		return mmio_emulate(v, &platform_dev, gpa);
	if (dirty_guest_write_fault(v->guest, gpa))
		return EXIT_RESUME; /* write-protect dirty logging: recorded, writable again */
	vcpu_stop(v, "EPT violation: %s at GPA 0x%lx outside guest RAM (%lu MiB), RIP 0x%lx",
		   qual & EPT_QUAL_FETCH ? "instruction fetch" : qual & EPT_QUAL_WRITE ? "write" : "read",
		   gpa, v->ram->size >> 20, vmcs_read(VMCS_GUEST_RIP));
	return EXIT_STOP;
}
