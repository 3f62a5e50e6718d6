/*
 * A guest to start: "FILE [mem=MiB] [name=NAME] [mod=FILE]... [-- ARGS]", the syntax
 * shared by hv.cfg's guest lines and the console's "guest start". Pure.
 */
#ifndef KERNEL_GUEST_SPEC_H
#define KERNEL_GUEST_SPEC_H

#include "lib/types.h"

#define GUEST_FILE_MAX 64
#define GUEST_NAME_MAX 32
#define GUEST_ARGS_MAX 256
#define GUEST_MODULES_MAX 8 /* as many as the multiboot loader takes */
#define GUEST_MEM_DEFAULT_MIB 64
#define GUEST_MEM_MIN_MIB 2
#define GUEST_MEM_MAX_MIB 65536

struct guest_spec {
	char file[GUEST_FILE_MAX]; /* name under the ESP's guests/ folder */
	uint32_t mem_mib;
	char name[GUEST_NAME_MAX]; /* defaults to the file name without extension */
	char args[GUEST_ARGS_MAX]; /* the guest's command line, after "--" */
	uint32_t nmodules;
	char modules[GUEST_MODULES_MAX][GUEST_FILE_MAX]; /* mod=FILE, in order */
};

/*
 * Parse s. On error returns -EINVAL and writes a message into err
 * (errlen bytes): unknown option, bad size, name with bad characters
 * (allowed: letters, digits, '-', '_', '.'), too long, missing file.
 */
int guest_spec_parse(const char *s, struct guest_spec *out, char *err, size_t errlen);

/* Whether name is a valid guest name: 1-31 letters, digits, '-', '_', '.'. */
bool guest_spec_name_valid(const char *name);

/* Same, from already-split words (argv[0] is the file). */
int guest_spec_parse_argv(int argc, char **argv, struct guest_spec *out, char *err, size_t errlen);

#endif
