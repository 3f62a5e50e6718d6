# mbedTLS 2.28.3, the parts TLS 1.2 with a pre-shared key needs
# (net/tls_config.h), built from the source scripts/setup.sh unpacks into
# $(MBEDTLS_DIR). Included by the Makefile after KCFLAGS is set.

MBEDTLS_SRCS := $(addprefix library/,aes.c chacha20.c chachapoly.c cipher.c \
        cipher_wrap.c constant_time.c ctr_drbg.c entropy.c entropy_poll.c gcm.c \
        md.c platform.c platform_util.c poly1305.c sha256.c ssl_ciphersuites.c \
        ssl_cli.c ssl_msg.c ssl_srv.c ssl_tls.c)

MBEDTLS_OBJS := $(patsubst %.c,$(BUILD)/obj/mbedtls/%.o,$(MBEDTLS_SRCS))

# The define that makes mbedTLS read our configuration instead of its own.
# Only mbedTLS's files and ours that include its headers get it: quoted
# like this it would not survive KCFLAGS' trip through check-headers.sh.
MBEDTLS_DEFS := -DMBEDTLS_CONFIG_FILE='"net/tls_config.h"'

# mbedTLS's own files: file names by its layout (as for lwIP), and the
# warnings of ours it does not meet: it defines functions its headers do
# not declare in our configuration, and shadows names.
MBEDTLS_CFLAGS := $(MBEDTLS_DEFS) -ffile-prefix-map=$(MBEDTLS_DIR)/=mbedtls/ \
        -Wno-missing-prototypes -Wno-shadow -Wno-undef

DEPS_STAMP ?= $(BUILD)/.deps-ok

$(addprefix $(MBEDTLS_DIR)/,$(MBEDTLS_SRCS)): | $(DEPS_STAMP)

$(MBEDTLS_OBJS): $(BUILD)/obj/mbedtls/%.o: $(MBEDTLS_DIR)/%.c net/tls_config.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(MBEDTLS_CFLAGS) -MMD -c $< -o $@

# Our files that include mbedTLS's headers need its configuration too.
$(patsubst %,$(BUILD)/obj/%.o,$(MTLS_SRCS) migrate/tls_platform.c): KCFLAGS += $(MBEDTLS_DEFS)
