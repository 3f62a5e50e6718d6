/*
 * Guest specs: "FILE [mem=MiB] [name=NAME] [mod=FILE]... [-- ARGS]". Pure.
 *
 * Words are fed one at a time to a small state machine, so the string
 * form and the argv form share every rule, and the string form needs no
 * scratch copy however long the line is. The result is built in a local
 * copy and stored only on success: a bad spec never half-applies.
 * Repeated mem= or name= options: the last one wins, as in hv.cfg.
 */
#include <stdarg.h>
#include <string.h>

#include "lib/fmt.h"
#include "kernel/guest_spec.h"

#define SPEC_QUOTE_MAX 40 /* bytes of a bad word quoted in a message */
/* printf arguments for "%.*s": a word is not NUL-terminated in the line. */
#define SPEC_QUOTE(w, len) (int)MIN((len), (size_t)SPEC_QUOTE_MAX), (w)

struct spec_parse {
	struct guest_spec g;
	bool have_file, have_name, in_args;
	size_t args_len;
	char *err;
	size_t errlen;
};

static int PRINTF_LIKE(2, 3) spec_fail(struct spec_parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool spec_word_is(const char *w, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(w, lit, len) == 0;
}

static bool spec_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

bool guest_spec_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= GUEST_NAME_MAX)
		return false;
	while (n--)
		if (!spec_name_char((unsigned char)name[n]))
			return false;
	return true;
}

/* Printable ASCII that FAT allows in a file name (FAT32 spec 6.1). */
static bool spec_file_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"*/:<>?\\|", c);
}

/* Copy the file name w (len bytes) into out after checking it. */
static int spec_copy_file(struct spec_parse *p, char *out, const char *w, size_t len)
{
	size_t i;

	if (len == 0)
		return spec_fail(p, "empty file name");
	if (len >= GUEST_FILE_MAX)
		return spec_fail(p, "file name too long '%.*s...' (max %d)",
				 SPEC_QUOTE(w, len), GUEST_FILE_MAX - 1);
	for (i = 0; i < len; i++)
		if (!spec_file_char((unsigned char)w[i]))
			break;
	if (i < len || spec_word_is(w, len, ".") || spec_word_is(w, len, ".."))
		return spec_fail(p, "bad file name '%.*s'", SPEC_QUOTE(w, len));
	memcpy(out, w, len);
	out[len] = '\0';
	return 0;
}

static int spec_set_file(struct spec_parse *p, const char *w, size_t len)
{
	if (spec_copy_file(p, p->g.file, w, len))
		return -EINVAL;
	p->have_file = true;
	return 0;
}

/*
 * mod=FILE (skip 4) or initrd=FILE (skip 7): a further ESP file, a
 * multiboot module or, for a Linux kernel, part of its initrd. One list
 * for both keeps the saved configuration's format unchanged.
 */
static int spec_add_module(struct spec_parse *p, const char *w, size_t len, size_t skip)
{
	if (p->g.nmodules == GUEST_MODULES_MAX)
		return spec_fail(p, "too many modules (max %d)", GUEST_MODULES_MAX);
	if (spec_copy_file(p, p->g.modules[p->g.nmodules], w + skip, len - skip))
		return -EINVAL;
	p->g.nmodules++;
	return 0;
}

static int spec_set_mem(struct spec_parse *p, const char *w, size_t len)
{
	const char *v = w + 4; /* after "mem=" */
	size_t i, n = len - 4;
	uint32_t mib = 0;

	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return spec_fail(p, "bad size '%.*s' (MiB as a decimal number)",
					 SPEC_QUOTE(w, len));
		/* Saturate: anything past the maximum is out of range anyway. */
		if (mib <= GUEST_MEM_MAX_MIB)
			mib = mib * 10 + (uint32_t)(v[i] - '0');
	}
	if (n == 0)
		return spec_fail(p, "bad size 'mem=' (MiB as a decimal number)");
	if (mib < GUEST_MEM_MIN_MIB || mib > GUEST_MEM_MAX_MIB)
		return spec_fail(p, "size out of range '%.*s' (%d..%d MiB)",
				 SPEC_QUOTE(w, len), GUEST_MEM_MIN_MIB,
				 GUEST_MEM_MAX_MIB);
	p->g.mem_mib = mib;
	return 0;
}

static int spec_set_name(struct spec_parse *p, const char *w, size_t len)
{
	const char *v = w + 5; /* after "name=" */
	size_t i, n = len - 5;

	if (n == 0)
		return spec_fail(p, "empty name 'name='");
	if (n >= GUEST_NAME_MAX)
		return spec_fail(p, "name too long '%.*s...' (max %d)",
				 SPEC_QUOTE(w, len), GUEST_NAME_MAX - 1);
	for (i = 0; i < n; i++)
		if (!spec_name_char((unsigned char)v[i]))
			return spec_fail(p, "bad name '%.*s' (letters, digits, '-', '_', '.')",
					 SPEC_QUOTE(w, len));
	memcpy(p->g.name, v, n);
	p->g.name[n] = '\0';
	p->have_name = true;
	return 0;
}

static int spec_add_arg(struct spec_parse *p, const char *w, size_t len)
{
	size_t sep = p->args_len ? 1 : 0;

	if (p->args_len + sep + len >= GUEST_ARGS_MAX)
		return spec_fail(p, "guest arguments too long (max %d)",
				 GUEST_ARGS_MAX - 1);
	if (sep)
		p->g.args[p->args_len++] = ' ';
	memcpy(p->g.args + p->args_len, w, len);
	p->args_len += len;
	p->g.args[p->args_len] = '\0';
	return 0;
}

static int spec_option(struct spec_parse *p, const char *w, size_t len)
{
	if (len >= 4 && memcmp(w, "mem=", 4) == 0)
		return spec_set_mem(p, w, len);
	if (len >= 5 && memcmp(w, "name=", 5) == 0)
		return spec_set_name(p, w, len);
	if (len >= 4 && memcmp(w, "mod=", 4) == 0)
		return spec_add_module(p, w, len, 4);
	if (len >= 7 && memcmp(w, "initrd=", 7) == 0)
		return spec_add_module(p, w, len, 7);
	return spec_fail(p, "unknown option '%.*s' (mem=, name=, mod=, initrd=)",
			 SPEC_QUOTE(w, len));
}

static int spec_word(struct spec_parse *p, const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)w[i] < 0x20 || w[i] == 0x7f)
			return spec_fail(p, "control character 0x%02x in guest spec",
					 (unsigned char)w[i]);
	if (p->in_args)
		return spec_add_arg(p, w, len);
	if (spec_word_is(w, len, "--")) {
		p->in_args = true;
		return 0;
	}
	for (i = 0; i < len; i++)
		if (w[i] == '=')
			return spec_option(p, w, len);
	if (!p->have_file)
		return spec_set_file(p, w, len);
	return spec_fail(p, "unexpected '%.*s' (guest arguments go after --)",
			 SPEC_QUOTE(w, len));
}

/* The default name: the file name without its last extension, made legal. */
static void spec_default_name(struct guest_spec *g)
{
	const char *dot = strchr(g->file, '.');
	size_t len = strlen(g->file), i;

	while (dot && strchr(dot + 1, '.'))
		dot = strchr(dot + 1, '.');
	if (dot && dot != g->file)
		len = (size_t)(dot - g->file);
	len = MIN(len, (size_t)GUEST_NAME_MAX - 1);
	for (i = 0; i < len; i++)
		g->name[i] = spec_name_char((unsigned char)g->file[i]) ? g->file[i] : '_';
	g->name[len] = '\0';
}

static void spec_begin(struct spec_parse *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->g.mem_mib = GUEST_MEM_DEFAULT_MIB;
	p->err = err;
	p->errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
}

static int spec_finish(struct spec_parse *p, struct guest_spec *out)
{
	if (!p->have_file)
		return spec_fail(p, "missing file");
	if (!p->have_name)
		spec_default_name(&p->g);
	*out = p->g;
	return 0;
}

static bool spec_space(char c)
{
	return c == ' ' || c == '\t';
}

int guest_spec_parse(const char *s, struct guest_spec *out, char *err, size_t errlen)
{
	struct spec_parse p;
	int rc;

	spec_begin(&p, err, errlen);
	while (*s) {
		const char *w;

		while (spec_space(*s))
			s++;
		if (!*s)
			break;
		w = s;
		while (*s && !spec_space(*s))
			s++;
		rc = spec_word(&p, w, (size_t)(s - w));
		if (rc)
			return rc;
	}
	return spec_finish(&p, out);
}

int guest_spec_parse_argv(int argc, char **argv, struct guest_spec *out,
			  char *err, size_t errlen)
{
	struct spec_parse p;
	int i, rc;

	spec_begin(&p, err, errlen);
	for (i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);

		/* An empty quoted word ("") carries nothing. */
		if (len == 0)
			continue;
		rc = spec_word(&p, argv[i], len);
		if (rc)
			return rc;
	}
	return spec_finish(&p, out);
}
