# Host build of the TLS tests: mbedTLS with net/tls_config.h as a host
# library (plain and ASan/UBSan), migrate/tls.c over it, and host
# stand-ins for entropy and memory (tests/unit/tls_host.c). Included by
# the Makefile after the unit-test variables and pattern rules; the
# explicit rules here win over the generic $(BUILD)/unit/% ones.

TLS_HOST_LIB      := $(BUILD)/unit/libmbedtls-hv.a
TLS_HOST_ASAN_LIB := $(BUILD)/unit-asan/libmbedtls-hv.a
TLS_HOST_OBJS      := $(patsubst %.c,$(BUILD)/unit/mbedtls/%.o,$(MBEDTLS_SRCS))
TLS_HOST_ASAN_OBJS := $(patsubst %.c,$(BUILD)/unit-asan/mbedtls/%.o,$(MBEDTLS_SRCS))
TLS_HOST_INC   := -I$(MBEDTLS_DIR)/include $(MBEDTLS_DEFS)
TLS_HOST_MBED  := $(TLS_HOST_INC) -Wno-missing-prototypes -Wno-shadow -Wno-undef
TLS_TEST_SRCS  := tests/unit/tls_host.c $(MTLS_SRCS)
TLS_TEST_HDRS  := net/tls_config.h migrate/tls.h migrate/tls_error.h migrate/tls_platform.h \
        tests/unit/tls_host.h tests/unit/tls_pipe.h

$(TLS_HOST_OBJS): $(BUILD)/unit/mbedtls/%.o: $(MBEDTLS_DIR)/%.c net/tls_config.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(TLS_HOST_MBED) -c $< -o $@

$(TLS_HOST_ASAN_OBJS): $(BUILD)/unit-asan/mbedtls/%.o: $(MBEDTLS_DIR)/%.c net/tls_config.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $(TLS_HOST_MBED) -c $< -o $@

$(TLS_HOST_LIB): $(TLS_HOST_OBJS)
	rm -f $@ && ar rcs $@ $^

$(TLS_HOST_ASAN_LIB): $(TLS_HOST_ASAN_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/unit/test_tls: tests/unit/test_tls.c $(TLS_TEST_SRCS) $(TLS_TEST_HDRS) \
		$(BUILD)/unit/libpure.a $(TLS_HOST_LIB)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(TLS_HOST_INC) $< $(TLS_TEST_SRCS) $(BUILD)/unit/libpure.a \
		$(TLS_HOST_LIB) -o $@

$(BUILD)/unit-asan/test_tls: tests/unit/test_tls.c $(TLS_TEST_SRCS) $(TLS_TEST_HDRS) \
		$(BUILD)/unit-asan/libpure.a $(TLS_HOST_ASAN_LIB)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $(TLS_HOST_INC) $< $(TLS_TEST_SRCS) \
		$(BUILD)/unit-asan/libpure.a $(TLS_HOST_ASAN_LIB) -o $@

# mbedTLS's test programs, built in its own tree with its default
# configuration (include/mbedtls/config.h), for test_tls_interop.c.
MBEDTLS_PROGS := $(MBEDTLS_DIR)/programs/ssl/ssl_client2 $(MBEDTLS_DIR)/programs/ssl/ssl_server2
TLS_INTEROP_DEFS := -DSSL_CLIENT2='"$(MBEDTLS_DIR)/programs/ssl/ssl_client2"' \
        -DSSL_SERVER2='"$(MBEDTLS_DIR)/programs/ssl/ssl_server2"'

$(MBEDTLS_PROGS) &: | $(DEPS_STAMP)
	$(MAKE) -C $(MBEDTLS_DIR)/programs CC=$(HOSTCC) ssl/ssl_client2 ssl/ssl_server2

$(BUILD)/unit/test_tls_interop: tests/unit/test_tls_interop.c $(TLS_TEST_SRCS) $(TLS_TEST_HDRS) \
		$(BUILD)/unit/libpure.a $(TLS_HOST_LIB) $(MBEDTLS_PROGS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(TLS_HOST_INC) $(TLS_INTEROP_DEFS) $< $(TLS_TEST_SRCS) \
		$(BUILD)/unit/libpure.a $(TLS_HOST_LIB) -o $@

$(BUILD)/unit-asan/test_tls_interop: tests/unit/test_tls_interop.c $(TLS_TEST_SRCS) \
		$(TLS_TEST_HDRS) $(BUILD)/unit-asan/libpure.a $(TLS_HOST_ASAN_LIB) $(MBEDTLS_PROGS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $(TLS_HOST_INC) $(TLS_INTEROP_DEFS) $< \
		$(TLS_TEST_SRCS) $(BUILD)/unit-asan/libpure.a $(TLS_HOST_ASAN_LIB) -o $@

# The TLS fuzz target: mbedTLS compiled with the fuzzer's instrumentation
# too, so that coverage reaches its record and handshake parsers.
$(BUILD)/fuzz/fuzz_tls: tests/fuzz/fuzz_tls.c $(TLS_TEST_SRCS) $(TLS_TEST_HDRS) $(FUZZ_LIB) \
		$(addprefix $(MBEDTLS_DIR)/,$(MBEDTLS_SRCS)) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(TLS_HOST_INC) -fsanitize=fuzzer,address,undefined \
		$< $(TLS_TEST_SRCS) $(addprefix $(MBEDTLS_DIR)/,$(MBEDTLS_SRCS)) $(FUZZ_LIB) -o $@

# arch/x86/entropy.c is the hardware shell, but x86-64 hosts run it as it
# is: the source choice is tested, and the host CPU's own source read.
$(BUILD)/unit/test_entropy: tests/unit/test_entropy.c arch/x86/entropy.c arch/x86/entropy.h \
		arch/x86/cpu.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $< arch/x86/entropy.c -o $@

$(BUILD)/unit-asan/test_entropy: tests/unit/test_entropy.c arch/x86/entropy.c arch/x86/entropy.h \
		arch/x86/cpu.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $< arch/x86/entropy.c -o $@
