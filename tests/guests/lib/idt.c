/*
 * IDT, dispatch and expected-fault recovery. Gates: SDM Vol. 3A 6.11
 * (32-bit interrupt gate, type 0xE, present, DPL 0).
 */
#include "guest.h"
#include "idt.h"

#define IDT_ENTRIES 256
#define SEL_CODE 0x08        /* crt0's GDT */
#define GATE_INTR32 0x8e     /* P=1, DPL=0, type 1110b */
#define ISR_STUB_SIZE 16

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define ICW1_INIT_ICW4 0x11
#define ICW4_8086 0x01

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

struct fault_jmp {
	uint32_t ebx, esi, edi, ebp, esp, eip, eflags;
};

extern char isr_stubs[];
int fault_setjmp(struct fault_jmp *jb) __attribute__((returns_twice));
void fault_longjmp(struct fault_jmp *jb, int val) __attribute__((noreturn));
void isr_dispatch(struct trap_frame *f);

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(8)));
static trap_handler_t handlers[IDT_ENTRIES];
static struct fault_jmp *volatile fault_armed;
static struct fault_info fault_last;
volatile uint32_t idt_spurious_count;

void idt_load(const void *base, uint16_t limit)
{
	struct idt_ptr p = { .limit = limit, .base = (uint32_t)base };

	asm volatile("lidt %0" : : "m"(p));
}

void idt_init(void)
{
	int i;

	for (i = 0; i < IDT_ENTRIES; i++) {
		uint32_t a = (uint32_t)isr_stubs + i * ISR_STUB_SIZE;

		idt[i] = (struct idt_gate){
			.off_lo = a & 0xffff, .sel = SEL_CODE,
			.type = GATE_INTR32, .off_hi = a >> 16,
		};
	}
	idt_load(idt, sizeof(idt) - 1);
}

void idt_set_handler(uint8_t vector, trap_handler_t fn)
{
	handlers[vector] = fn;
}

void pic_disable(void)
{
	/*
	 * The BIOS leaves the master PIC on vectors 8-15, on top of the
	 * exceptions; move both out of the way before masking everything.
	 */
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, 0x20);
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 1 << 2); /* slave on IRQ 2 */
	outb(PIC2_DATA, 2);      /* slave identity */
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static void trap_unexpected(struct trap_frame *f)
{
	printf("EXCEPTION vector=%u error=0x%x eip=0x%x eflags=0x%x "
	       "eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x\n", f->vector, f->error,
	       f->eip, f->eflags, f->eax, f->ebx, f->ecx, f->edx);
	guest_fail("reason=unexpected-exception vector=%u eip=0x%x",
		   f->vector, f->eip);
}

void isr_dispatch(struct trap_frame *f)
{
	struct fault_jmp *jb = fault_armed;

	if (f->vector < 32 && jb) {
		fault_armed = NULL;
		fault_last = (struct fault_info){ f->vector, f->error, f->eip };
		fault_longjmp(jb, (int)f->vector + 1);
	}
	if (handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	if (f->vector == VEC_SPURIOUS) {
		idt_spurious_count++;
		return;
	}
	trap_unexpected(f);
}

int fault_call(void (*fn)(void *), void *arg, struct fault_info *info)
{
	struct fault_jmp jb;
	int r;

	r = fault_setjmp(&jb);
	if (r == 0) {
		fault_armed = &jb;
		fn(arg);
		fault_armed = NULL;
		return -1;
	}
	if (info)
		*info = fault_last;
	return r - 1;
}

struct msr_op {
	uint32_t msr;
	uint64_t val;
};

static void msr_read_op(void *arg)
{
	struct msr_op *op = arg;

	op->val = rdmsr(op->msr);
}

static void msr_write_op(void *arg)
{
	struct msr_op *op = arg;

	wrmsr(op->msr, op->val);
}

int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	struct msr_op op = { .msr = msr };
	int r = fault_call(msr_read_op, &op, NULL);

	if (r < 0)
		*val = op.val;
	return r;
}

int wrmsr_safe(uint32_t msr, uint64_t val)
{
	struct msr_op op = { .msr = msr, .val = val };

	return fault_call(msr_write_op, &op, NULL);
}
