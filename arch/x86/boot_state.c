/*
 * Initial CPU states. Pure: see boot_state.h.
 */
#include <string.h>
#include "arch/x86/boot_paging.h"
#include "arch/x86/boot_state.h"

/* Memory types in IA32_PAT's power-on value, SDM Vol. 3A 12.12.4 table 12-12 */
#define PAT_POWER_ON 0x0007040600070406ULL
#define RFLAGS_RESERVED_1 0x2ULL
#define DR6_INIT 0xffff0ff0ULL /* SDM Vol. 3A 10.1.1 table 10-1 */
#define DR7_INIT 0x400ULL
#define CR0_PE (1ULL << 0)
#define CR0_ET (1ULL << 4)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8) /* SDM Vol. 3A 2.2.1 */
#define EFER_LMA (1ULL << 10)
/* Segment access rights, SDM Vol. 3C 25.4.1 table 25-2 */
#define AR_CODE32 0xc09b   /* present, code exec/read accessed, DPL 0, D=1, G=1 */
#define AR_DATA32 0xc093   /* present, data read/write accessed, D/B=1, G=1 */
#define AR_CODE64 0xa09b   /* present, code exec/read accessed, DPL 0, L=1, D=0, G=1 */
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

/* Flat segments (code sel_cs with ar_cs, data sel_ds) and the power-on rest. */
static void flat_state(struct gs_cpu *c, uint16_t sel_cs, uint32_t ar_cs, uint16_t sel_ds,
		       uint64_t tsc)
{
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < GS_NSEG; i++)
		flat(&c->seg[i], sel_ds, AR_DATA32);
	flat(&c->seg[GS_CS], sel_cs, ar_cs);
	flat(&c->seg[GS_LDTR], 0, AR_UNUSABLE);
	/* a busy TSS: type 11 is also the 64-bit busy TSS, SDM Vol. 3C 27.3.1.2 */
	c->seg[GS_TR] = (struct gs_segment){ 0, 0xff, AR_TSS32_BUSY, 0 };
	c->gdtr_limit = 0xffff;
	c->idtr_limit = 0xffff;
	c->cr0 = CR0_PE | CR0_ET;
	c->dr6 = DR6_INIT;
	c->dr7 = DR7_INIT;
	c->rflags = RFLAGS_RESERVED_1;
	c->pat = PAT_POWER_ON;
	c->mtrr_def_type = MSR_MTRR_DEF_TYPE_INIT;
	c->misc_enable = MISC_ENABLE_POWER_ON;
	c->tsc = tsc;
	memcpy(c->fxsave, &(uint16_t){ FXSAVE_FCW_INIT }, 2);
	memcpy(c->fxsave + FXSAVE_MXCSR_OFFSET, &(uint32_t){ FXSAVE_MXCSR_INIT }, 4);
}

void boot_state_multiboot(struct gs_cpu *c, uint32_t eip, uint32_t eax, uint32_t ebx,
			  uint64_t tsc)
{
	flat_state(c, SEL_CODE, AR_CODE32, SEL_DATA, tsc);
	c->rip = eip;
	c->gpr[0] = eax; /* RAX */
	c->gpr[3] = ebx; /* RBX */
}

void boot_state_linux64(struct gs_cpu *c, uint64_t rip, uint64_t rsi, uint64_t rsp,
			uint64_t cr3, uint64_t gdt_base, uint16_t gdt_limit, uint64_t tsc)
{
	flat_state(c, BOOT_SEL_CS64, AR_CODE64, BOOT_SEL_DS, tsc);
	c->gdtr_base = gdt_base;
	c->gdtr_limit = gdt_limit;
	c->cr0 |= CR0_PG;
	c->cr3 = cr3;
	c->cr4 = CR4_PAE; /* 4-level paging needs PAE, SDM Vol. 3A 5.1.1 */
	c->efer = EFER_LME | EFER_LMA;
	c->rip = rip;
	c->gpr[4] = rsp; /* RSP */
	c->gpr[6] = rsi; /* RSI: struct boot_params */
}
