/*
 * Start-up, the result protocol, the exit port and the multiboot boot
 * information (Multiboot Specification 0.6.96, section 3.3).
 */
#include "guest.h"
#include "idt.h"

const struct mb_info *guest_mbi;
volatile uint32_t cpuid_count;
static const char *name = "guest";

void guest_init(uint32_t magic, const struct mb_info *mbi)
{
	serial_init();
	idt_init();
	pic_disable();
	if (magic == MB_BOOT_MAGIC)
		guest_mbi = mbi;
	else
		printf("WARN bad multiboot magic 0x%x\n", magic);
}

void guest_start(const char *guest)
{
	name = guest;
	printf("GUEST %s START\n", name);
}

const char *guest_name(void)
{
	return name;
}

void guest_exit(uint32_t status)
{
	outl(GUEST_EXIT_PORT, status);
	/* Nothing listens on the port: stay here, quietly. */
	for (;;) {
		cli();
		hlt();
	}
}

static void __attribute__((noreturn))
guest_result(uint32_t status, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	printf("RESULT %s %s %s\n", name, status ? "fail" : "ok", line);
	guest_exit(status);
}

void guest_ok(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	guest_result(0, fmt, ap);
}

void guest_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	guest_result(1, fmt, ap);
}

/* ---------------------------------------------------------- numbers */

static int digit_value(char c, unsigned base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < (int)base ? v : -1;
}

int parse_u64(const char *s, const char **end, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	int d, n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	while ((d = digit_value(*s, base)) >= 0) {
		v = v * base + (unsigned)d;
		s++;
		n++;
	}
	if (end)
		*end = s;
	if (!n)
		return -1;
	*out = v;
	return 0;
}

/* ---------------------------------------------------------- command line */

static const char *cmdline_str(void)
{
	if (!guest_mbi || !(guest_mbi->flags & MB_INFO_CMDLINE) || !guest_mbi->cmdline)
		return "";
	return (const char *)(uintptr_t)guest_mbi->cmdline;
}

/*
 * QEMU passes "<kernel path> <-append text>", the hypervisor just the
 * text: words without '=' are simply never matched.
 */
int cmdline_get(const char *key, char *buf, size_t size)
{
	const char *p = cmdline_str();
	size_t klen = strlen(key);

	if (size)
		buf[0] = 0;
	while (*p) {
		const char *w = p;
		size_t n = 0;

		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - w) > klen && !strncmp(w, key, klen) && w[klen] == '=') {
			for (w += klen + 1; w < p && n + 1 < size; w++)
				buf[n++] = *w;
			if (size)
				buf[n] = 0;
			return 1;
		}
		while (*p == ' ')
			p++;
	}
	return 0;
}

uint64_t cmdline_u64(const char *key, uint64_t def)
{
	char buf[32];
	const char *end;
	uint64_t v;

	if (!cmdline_get(key, buf, sizeof(buf)))
		return def;
	if (parse_u64(buf, &end, &v) || *end) {
		printf("WARN %s=%s is not a number, using %llu\n", key, buf,
		       (unsigned long long)def);
		return def;
	}
	return v;
}

/* ---------------------------------------------------------- memory map */

int mbi_mmap_entry(int index, uint64_t *base, uint64_t *len, uint32_t *type)
{
	uint32_t p, end;

	if (!guest_mbi || !(guest_mbi->flags & MB_INFO_MMAP))
		return -1;
	p = guest_mbi->mmap_addr;
	end = p + guest_mbi->mmap_length;
	while (p + sizeof(struct mb_mmap_entry) <= end) {
		const struct mb_mmap_entry *e = (const void *)(uintptr_t)p;

		if (index-- == 0) {
			*base = e->base;
			*len = e->length;
			*type = e->type;
			return 0;
		}
		p += e->size + sizeof(e->size);
	}
	return -1;
}

uint64_t mbi_ram_end(void)
{
	uint64_t base, len;
	uint32_t type;
	int i;

	for (i = 0; mbi_mmap_entry(i, &base, &len, &type) == 0; i++) {
		if (type == MB_MMAP_AVAILABLE && base <= 0x100000 &&
		    base + len > 0x100000)
			return base + len;
	}
	if (guest_mbi && (guest_mbi->flags & MB_INFO_MEMORY))
		return 0x100000 + (uint64_t)guest_mbi->mem_upper * 1024;
	return 0;
}

static uint32_t max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static uint32_t string_end(uint32_t s)
{
	return s ? s + (uint32_t)strlen((const char *)(uintptr_t)s) + 1 : 0;
}

static uint32_t mbi_modules_end(const struct mb_info *m)
{
	const struct mb_module *mod = (const void *)(uintptr_t)m->mods_addr;
	uint32_t top = m->mods_addr + m->mods_count * sizeof(*mod);
	uint32_t i;

	for (i = 0; i < m->mods_count; i++) {
		top = max32(top, mod[i].end);
		top = max32(top, string_end(mod[i].string));
	}
	return top;
}

uint32_t mbi_free_start(void)
{
	const struct mb_info *m = guest_mbi;
	uint32_t top = (uint32_t)(uintptr_t)__image_end;

	if (m) {
		top = max32(top, (uint32_t)((uintptr_t)m + sizeof(*m)));
		if (m->flags & MB_INFO_CMDLINE)
			top = max32(top, string_end(m->cmdline));
		if (m->flags & MB_INFO_MMAP)
			top = max32(top, m->mmap_addr + m->mmap_length);
		if (m->flags & MB_INFO_MODS)
			top = max32(top, mbi_modules_end(m));
		if (m->flags & MB_INFO_LOADER_NAME)
			top = max32(top, string_end(m->boot_loader_name));
	}
	return (top + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}
