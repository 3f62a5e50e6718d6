/*
 * Initial CPU states. Pure: see boot_state.h.
 */
#include <string.h>
#include "arch/x86/boot_state.h"

/* Memory types in IA32_PAT's power-on value, SDM Vol. 3A 12.12.4 table 12-12 */
#define PAT_POWER_ON 0x0007040600070406ULL
#define RFLAGS_RESERVED_1 0x2ULL
#define DR6_INIT 0xffff0ff0ULL /* SDM Vol. 3A 10.1.1 table 10-1 */
#define DR7_INIT 0x400ULL
#define CR0_PE (1ULL << 0)
#define CR0_ET (1ULL << 4)
/* Segment access rights, SDM Vol. 3C 25.4.1 table 25-2 */
#define AR_CODE32 0xc09b   /* present, code exec/read accessed, DPL 0, D=1, G=1 */
#define AR_DATA32 0xc093   /* present, data read/write accessed, D/B=1, G=1 */
#define AR_TSS32_BUSY 0x8b
#define AR_UNUSABLE 0x10000
#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define FXSAVE_FCW_INIT 0x37f /* FNINIT's control word, SDM Vol. 1 8.1.5 */
#define FXSAVE_MXCSR_INIT 0x1f80
#define FXSAVE_MXCSR_OFFSET 24
#define MSR_MTRR_DEF_TYPE_INIT 0 /* MTRRs disabled at reset */
/* IA32_MISC_ENABLE: fast strings (0), BTS unavailable (11), PEBS unavailable (12) */
#define MISC_ENABLE_POWER_ON ((1ULL << 0) | (1ULL << 11) | (1ULL << 12))

static void flat(struct gs_segment *s, uint16_t sel, uint32_t ar)
{
	s->selector = sel;
	s->base = 0;
	s->limit = ar == AR_UNUSABLE ? 0 : 0xffffffff;
	s->ar = ar;
}

void boot_state_multiboot(struct gs_cpu *c, uint32_t eip, uint32_t eax, uint32_t ebx,
			  uint64_t tsc)
{
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < GS_NSEG; i++)
		flat(&c->seg[i], SEL_DATA, AR_DATA32);
	flat(&c->seg[GS_CS], SEL_CODE, AR_CODE32);
	flat(&c->seg[GS_LDTR], 0, AR_UNUSABLE);
	c->seg[GS_TR] = (struct gs_segment){ 0, 0xff, AR_TSS32_BUSY, 0 };
	c->gdtr_limit = 0xffff;
	c->idtr_limit = 0xffff;
	c->cr0 = CR0_PE | CR0_ET;
	c->dr6 = DR6_INIT;
	c->dr7 = DR7_INIT;
	c->rip = eip;
	c->rflags = RFLAGS_RESERVED_1;
	c->gpr[0] = eax; /* RAX */
	c->gpr[3] = ebx; /* RBX */
	c->pat = PAT_POWER_ON;
	c->mtrr_def_type = MSR_MTRR_DEF_TYPE_INIT;
	c->misc_enable = MISC_ENABLE_POWER_ON;
	c->tsc = tsc;
	memcpy(c->fxsave, &(uint16_t){ FXSAVE_FCW_INIT }, 2);
	memcpy(c->fxsave + FXSAVE_MXCSR_OFFSET, &(uint32_t){ FXSAVE_MXCSR_INIT }, 4);
}
