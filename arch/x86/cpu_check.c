/*
 * Checking a vCPU state before it is loaded (see cpu_check.h). Each check
 * cites the rule it enforces; the order is the SDM's: control registers
 * and MSRs, then segments, descriptor tables, RIP and RFLAGS, then the
 * non-register state (SDM Vol. 3C 27.3.1.1-27.3.1.5).
 */
#include <stdarg.h>

#include "arch/x86/cpu_check.h"
#include "lib/fmt.h"

#define CR0_PE (1ULL << 0)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_LA57 (1ULL << 12)
#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)
#define EFER_KNOWN (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE) /* what guests here may set */
#define RFLAGS_FIXED1 (1ULL << 1)
/* reserved: 3, 5, 15, 22-63 (SDM Vol. 3A 2.3) */
#define RFLAGS_RESERVED ((1ULL << 3) | (1ULL << 5) | (1ULL << 15) | (~0ULL << 22))
#define RFLAGS_VM (1ULL << 17)
/* segment access rights in the VMCS format (SDM Vol. 3C 25.4.1, table 25-2) */
#define AR_TYPE(ar) ((ar) & 0xf)
#define AR_S (1u << 4)
#define AR_DPL(ar) (((ar) >> 5) & 3)
#define AR_P (1u << 7)
#define AR_L (1u << 13)
#define AR_DB (1u << 14)
#define AR_G (1u << 15)
#define AR_UNUSABLE (1u << 16)
#define AR_RESERVED 0xfffe0f00u /* bits 11:8 and 31:17 */
#define TYPE_CODE (1u << 3)
#define ACTIVITY_MAX 3      /* active, HLT, shutdown, wait-for-SIPI */
#define INTR_RESERVED (~0x1fu)
#define INTR_STI 1u
#define INTR_MOV_SS 2u
#define DESC_LIMIT_MAX 0xffff

static int bad(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = fmt_snprintf(err, errlen, "cpu: ");
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		fmt_vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool long_mode(const struct gs_cpu *c)
{
	return c->efer & EFER_LMA;
}

/* Canonical for the linear-address width (48 bits, 57 with CR4.LA57; SDM Vol. 3A 3.3.7.1). */
static bool canonical(uint64_t a, uint64_t cr4)
{
	unsigned bits = cr4 & CR4_LA57 ? 57 : 48;
	int64_t s = (int64_t)(a << (64 - bits)) >> (64 - bits);

	return (uint64_t)s == a;
}

static int check_control(const struct gs_cpu *c, const struct cpu_check_policy *p, char *e,
			 size_t n)
{
	bool lme_pg = (c->efer & EFER_LME) && (c->cr0 & CR0_PG);

	/* bits 63:32 are reserved (#GP on MOV CR0), the rest what VMX lets the CPU hold */
	if (c->cr0 >> 32 || (c->cr0 & ~p->cr0_fixed1))
		return bad(e, n, "CR0 0x%lx sets bits this CPU cannot hold", (unsigned long)c->cr0);
	if ((c->cr0 & CR0_PG) && !(c->cr0 & CR0_PE))
		return bad(e, n, "CR0 0x%lx: paging without protection", (unsigned long)c->cr0);
	if ((c->cr0 & CR0_NW) && !(c->cr0 & CR0_CD))
		return bad(e, n, "CR0 0x%lx: NW without CD", (unsigned long)c->cr0);
	if (c->cr4 & ~p->cr4_allowed)
		return bad(e, n, "CR4 0x%lx sets bits the guest was not offered (allowed 0x%lx)",
			   (unsigned long)c->cr4, (unsigned long)p->cr4_allowed);
	if (c->efer & ~EFER_KNOWN)
		return bad(e, n, "EFER 0x%lx sets reserved bits", (unsigned long)c->efer);
	/* EFER.LMA is LME with paging on, and IA-32e mode needs PAE (SDM Vol. 3A 10.8.5) */
	if (long_mode(c) != lme_pg)
		return bad(e, n, "EFER.LMA %u does not match LME and CR0.PG", long_mode(c) ? 1 : 0);
	if (long_mode(c) && !(c->cr4 & CR4_PAE))
		return bad(e, n, "IA-32e mode without CR4.PAE");
	if (c->cr3 >> (long_mode(c) ? p->phys_bits : 32))
		return bad(e, n, "CR3 0x%lx beyond the physical-address width",
			   (unsigned long)c->cr3);
	if (c->dr7 >> 32)
		return bad(e, n, "DR7 0x%lx sets bits 63:32", (unsigned long)c->dr7);
	return 0;
}

/* A usable segment's limit must agree with its granularity (SDM Vol. 3C 27.3.1.2). */
static bool limit_fits_granularity(const struct gs_segment *s)
{
	if ((s->limit & 0xfff) != 0xfff && (s->ar & AR_G))
		return false;
	return !((s->limit >> 20) && !(s->ar & AR_G));
}

static const char *const seg_names[GS_NSEG] = { "ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR" };

static int check_segment(const struct gs_cpu *c, int i, char *e, size_t n)
{
	const struct gs_segment *s = &c->seg[i];

	if (s->ar & AR_UNUSABLE)
		return i == GS_CS || i == GS_TR ? bad(e, n, "%s is unusable", seg_names[i]) : 0;
	if (s->ar & AR_RESERVED)
		return bad(e, n, "%s access rights 0x%x set reserved bits", seg_names[i], s->ar);
	if (!(s->ar & AR_P))
		return bad(e, n, "%s is usable but not present", seg_names[i]);
	if (!limit_fits_granularity(s))
		return bad(e, n, "%s limit 0x%x does not fit its granularity", seg_names[i], s->limit);
	if (!canonical(s->base, c->cr4) || (i <= GS_DS && s->base >> 32))
		return bad(e, n, "%s base 0x%lx out of range", seg_names[i], (unsigned long)s->base);
	return 0;
}

/* What kind of descriptor each register may hold (SDM Vol. 3C 27.3.1.2). */
static int check_segment_kinds(const struct gs_cpu *c, char *e, size_t n)
{
	uint32_t cs = c->seg[GS_CS].ar, tr = c->seg[GS_TR].ar, ldtr = c->seg[GS_LDTR].ar;

	/* real mode under unrestricted guest may hold a data-type CS; protected mode not */
	if ((c->cr0 & CR0_PE) && !(c->rflags & RFLAGS_VM) && (!(cs & AR_S) || !(cs & TYPE_CODE)))
		return bad(e, n, "CS access rights 0x%x are not a code segment", cs);
	if (long_mode(c) && (cs & AR_L) && (cs & AR_DB))
		return bad(e, n, "CS has both L and D/B set");
	if ((tr & AR_S) || (AR_TYPE(tr) != 11 && (long_mode(c) || AR_TYPE(tr) != 3)))
		return bad(e, n, "TR access rights 0x%x are not a busy TSS", tr);
	if (!(ldtr & AR_UNUSABLE) && ((ldtr & AR_S) || AR_TYPE(ldtr) != 2))
		return bad(e, n, "LDTR access rights 0x%x are not an LDT", ldtr);
	if (c->gdtr_limit > DESC_LIMIT_MAX || c->idtr_limit > DESC_LIMIT_MAX ||
	    !canonical(c->gdtr_base, c->cr4) || !canonical(c->idtr_base, c->cr4))
		return bad(e, n, "GDTR or IDTR out of range");
	return 0;
}

static int check_segments(const struct gs_cpu *c, char *e, size_t n)
{
	int i, rc;

	for (i = 0; i < GS_NSEG; i++) {
		rc = check_segment(c, i, e, n);
		if (rc)
			return rc;
	}
	return check_segment_kinds(c, e, n);
}

static int check_rip_rflags(const struct gs_cpu *c, char *e, size_t n)
{
	bool code64 = long_mode(c) && (c->seg[GS_CS].ar & AR_L);

	/* 64-bit code: canonical; anything else: the upper half is zero (SDM Vol. 3C 27.3.1.4) */
	if (code64 ? !canonical(c->rip, c->cr4) : c->rip >> 32)
		return bad(e, n, "RIP 0x%lx out of range in %s-bit mode", (unsigned long)c->rip,
			   code64 ? "64" : "32");
	if ((c->rflags & RFLAGS_RESERVED) || !(c->rflags & RFLAGS_FIXED1))
		return bad(e, n, "RFLAGS 0x%lx has reserved bits wrong", (unsigned long)c->rflags);
	if ((c->rflags & RFLAGS_VM) && (long_mode(c) || !(c->cr0 & CR0_PE)))
		return bad(e, n, "RFLAGS.VM outside protected mode");
	return 0;
}

/* Activity and interruptibility state (SDM Vol. 3C 27.3.1.5). */
static int check_nonregister(const struct gs_cpu *c, char *e, size_t n)
{
	if (c->activity > ACTIVITY_MAX)
		return bad(e, n, "activity state %u unknown", c->activity);
	if ((c->interruptibility & INTR_RESERVED) ||
	    (c->interruptibility & (INTR_STI | INTR_MOV_SS)) == (INTR_STI | INTR_MOV_SS))
		return bad(e, n, "interruptibility 0x%x invalid", c->interruptibility);
	return 0;
}

int cpu_check_state(const struct gs_cpu *c, const struct cpu_check_policy *p, char *err,
		    size_t errlen)
{
	int rc = check_control(c, p, err, errlen);

	if (!rc)
		rc = check_segments(c, err, errlen);
	if (!rc)
		rc = check_rip_rflags(c, err, errlen);
	if (!rc)
		rc = check_nonregister(c, err, errlen);
	return rc;
}
