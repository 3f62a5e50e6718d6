/*
 * long64: a 64-bit guest. Its stub (crt0.S) switches to long mode; this
 * ring-0 part sets up SYSCALL/SYSRET and drops to ring 3, where a
 * workload writes and verifies pages like tests/guests/workload.c and
 * keeps a counter in an SSE register across rounds. Ring 3 cannot do
 * port I/O, so it reports through SYSCALL; the ring-0 handler prints.
 *
 * What it checks, every round: the page contents (a page lost, stale or
 * misplaced fails), the XMM counter (an SSE state lost or mixed up when
 * the hypervisor switches guests or restores a snapshot fails), and that
 * SYSCALL/SYSRET moved between the rings (CPL, by CS, read in each ring).
 *
 * Command line (all optional): pages=256 rounds=3 (0: forever) rate=0
 * (KiB/s, TSC-paced).
 * Pages hold workload.c's pattern and are paced the same way (lib/wlcore.c).
 * Output: "PROGRESS long64 round=R pages=N verified=yes xmm=R cpl=3
 * syscalls=S gap_max_us=G" (G: the longest time between two consecutive
 * pages written or verified in the round, by the guest's TSC), then "RESULT long64 ok rounds=..", or RESULT fail reason=...
 */
#include "guest.h"
#include "timing.h"
#include "wlcore.h"

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define SEL_KERNEL_CS 0x18
#define SEL_SYSRET_BASE 0x28 /* SYSRET: CS = base + 16, SS = base + 8, RPL 3 */
#define SEL_USER_DS (0x30 | 3)
#define RFLAGS_IF (1u << 9)

enum { SYS_PROGRESS = 1, SYS_FAIL = 2, SYS_DONE = 3 };

struct job {
	uint64_t base, pages, rounds, rate_kib, khz;
};

static struct job job;
static uint64_t syscalls;
static struct wl_gap gap; /* longest stop between pages, by the TSC (ring 3 keeps it) */
static uint8_t user_stack[16384] __attribute__((aligned(16)));

void syscall_entry(void);
uint64_t syscall_dispatch(uint64_t nr, uint64_t a, uint64_t b, uint64_t c);
void enter_user(void (*fn)(void), void *stack_top);

/*
 * SYSCALL entry: RCX = user RIP, R11 = user RFLAGS (SDM Vol. 2B SYSCALL).
 * The user side (sys()) tells the compiler only RAX, RCX and R11 change,
 * so every other register the C handler may clobber is saved here.
 */
__asm__(".text\n"
	".globl syscall_entry\n"
	"syscall_entry:\n"
	"	movq %rsp, user_rsp(%rip)\n"
	"	leaq kernel_syscall_stack_top(%rip), %rsp\n"
	"	pushq %rcx\n"
	"	pushq %r11\n"
	"	pushq %rdi\n"
	"	pushq %rsi\n"
	"	pushq %rdx\n"
	"	pushq %r8\n"
	"	pushq %r9\n"
	"	pushq %r10\n"
	"	movq %rdx, %rcx\n"
	"	movq %rsi, %rdx\n"
	"	movq %rdi, %rsi\n"
	"	movq %rax, %rdi\n"
	"	call syscall_dispatch\n"
	"	popq %r10\n"
	"	popq %r9\n"
	"	popq %r8\n"
	"	popq %rdx\n"
	"	popq %rsi\n"
	"	popq %rdi\n"
	"	popq %r11\n"
	"	popq %rcx\n"
	"	movq user_rsp(%rip), %rsp\n"
	"	sysretq\n"
	".globl enter_user\n"
	"enter_user:\n" /* rdi = function, rsi = stack: SYSRET into ring 3 */
	"	movq %rdi, %rcx\n"
	"	movq %rsi, %rsp\n"
	"	movq $0x2, %r11\n" /* IF stays 0: this guest has no IDT */
	"	sysretq\n"
	".bss\n"
	".align 16\n"
	"user_rsp: .quad 0\n"
	".space 8192\n"
	"kernel_syscall_stack_top:\n"
	".text\n");

static inline uint64_t sys(uint64_t nr, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static uint32_t cpl(void)
{
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

/* ---------------------------------------------------------------- ring 3 */

/*
 * Add 1 to the 64-bit counter kept in XMM7 and return it. The guest is
 * built with -mgeneral-regs-only, so the compiler never touches an XMM
 * register: XMM6/7 need no clobbers (GCC refuses them for that target).
 */
static uint64_t xmm_count(void)
{
	uint64_t one = 1, v;

	__asm__ volatile("movq %1, %%xmm6\n\tpaddq %%xmm6, %%xmm7\n\tmovq %%xmm7, %0"
			 : "=r"(v) : "r"(one));
	return v;
}

static volatile uint32_t *page_addr(uint64_t p)
{
	return (volatile uint32_t *)(job.base + p * PAGE_SIZE);
}

/* Write then verify every page: the same pattern and pacing as workload.c (lib/wlcore.c). */
static void user_round(uint64_t round)
{
	uint64_t start = rdtsc(), per_page = wl_page_ticks((uint32_t)job.khz, (uint32_t)job.rate_kib);
	uint64_t p;
	int bad;

	for (p = 0; p < job.pages; p++) {
		wl_wait_until(per_page ? start + p * per_page : 0);
		wl_page_fill(page_addr(p), (uint32_t)p, (uint32_t)round);
		wl_gap_step(&gap);
	}
	wl_wait_until(per_page ? start + job.pages * per_page : 0);
	for (p = 0; p < job.pages; p++) {
		bad = wl_page_check(page_addr(p), (uint32_t)p, (uint32_t)round);
		if (bad >= 0)
			sys(SYS_FAIL, 1, p, (uint64_t)bad);
		wl_gap_step(&gap);
	}
}

static void user_main(void)
{
	uint64_t round;

	__asm__ volatile("pxor %xmm7, %xmm7");
	for (round = 0; !job.rounds || round < job.rounds; round++) {
		user_round(round);
		if (xmm_count() != round + 1)
			sys(SYS_FAIL, 2, round + 1, 0);
		sys(SYS_PROGRESS, round + 1, cpl(), wl_gap_take(&gap));
	}
	sys(SYS_DONE, round, gap.worst, 0);
	for (;;)
		;
}

/* ---------------------------------------------------------------- ring 0 */

uint64_t syscall_dispatch(uint64_t nr, uint64_t a, uint64_t b, uint64_t c)
{
	syscalls++;
	if (cpl() != 0)
		guest_fail("reason=syscall-not-in-ring-0 cpl=%u", cpl());
	switch (nr) {
	case SYS_PROGRESS:
		printf("PROGRESS long64 round=%llu pages=%llu verified=yes xmm=%llu cpl=%llu "
		       "syscalls=%llu gap_max_us=%llu\n", (unsigned long long)a,
		       (unsigned long long)job.pages, (unsigned long long)a, (unsigned long long)b,
		       (unsigned long long)syscalls, (unsigned long long)tsc_to_us(c));
		if (b != 3)
			guest_fail("reason=user-code-not-in-ring-3 cpl=%llu", (unsigned long long)b);
		return 0;
	case SYS_FAIL:
		if (a == 1)
			guest_fail("reason=mismatch page=%llu word=%llu", (unsigned long long)b,
				   (unsigned long long)c);
		guest_fail("reason=xmm-lost round=%llu", (unsigned long long)b);
	case SYS_DONE:
		guest_ok("rounds=%llu pages=%llu syscalls=%llu gap_worst_us=%llu",
			 (unsigned long long)a, (unsigned long long)job.pages,
			 (unsigned long long)syscalls, (unsigned long long)tsc_to_us(b));
	}
	guest_fail("reason=bad-syscall nr=%llu", (unsigned long long)nr);
}

static void setup_job(void)
{
	uint64_t ram_end = mbi_ram_end(), free_pages;

	job.base = mbi_free_start();
	job.pages = cmdline_u64("pages", 256);
	job.rounds = cmdline_u64("rounds", 3);
	job.rate_kib = cmdline_u64("rate", 0);
	if (ram_end > (4ull << 30))
		ram_end = 4ull << 30; /* the identity map covers 4 GiB */
	if (ram_end <= job.base)
		guest_fail("reason=no-ram");
	free_pages = (ram_end - job.base) / PAGE_SIZE;
	if (!job.pages || job.pages > free_pages)
		guest_fail("reason=not-enough-ram pages=%llu free_pages=%llu",
			   (unsigned long long)job.pages, (unsigned long long)free_pages);
	job.khz = tsc_khz(); /* for the throttle and gap_max_us */
	if (job.rate_kib && !job.khz)
		guest_fail("reason=no-tsc-frequency");
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	uint64_t efer = rdmsr(0xc0000080);

	(void)magic;
	(void)mbi;
	guest_start("long64");
	if (!(efer & (1u << 10)))
		guest_fail("reason=not-in-long-mode efer=0x%llx", (unsigned long long)efer);
	setup_job();
	printf("PROGRESS long64 config pages=%llu rounds=%llu rate_kib=%llu base=0x%llx "
	       "efer=0x%llx\n", (unsigned long long)job.pages, (unsigned long long)job.rounds,
	       (unsigned long long)job.rate_kib, (unsigned long long)job.base,
	       (unsigned long long)efer);
	wrmsr(MSR_STAR, ((uint64_t)SEL_SYSRET_BASE << 48) | ((uint64_t)SEL_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_SFMASK, RFLAGS_IF);
	__asm__ volatile("mov %0, %%ds; mov %0, %%es" : : "r"((uint16_t)SEL_USER_DS));
	enter_user(user_main, user_stack + sizeof(user_stack));
	return 1;
}
