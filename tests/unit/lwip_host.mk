# Host build of tests/unit/test_netif.c: net/netif.c and the lwIP port
# over the real lwIP 2.1.3 core, plain and under ASan/UBSan. Included by
# the Makefile after the unit-test variables and pattern rules.
#
# test_netif.c matches tests/unit/test_*.c, so UNIT_BINS and ASAN_BINS
# already list it; the explicit rules here win over the generic
# $(BUILD)/unit/% ones, which would link it without lwIP.

NETIF_TEST_SRCS := tests/unit/test_netif.c tests/unit/netif_host_stubs.c \
        net/netif.c net/nic.c net/rawframes.c net/port.c
NETIF_TEST_HDRS := $(wildcard lib/*.h kernel/*.h net/*.h net/arch/*.h tests/unit/*.h)
NETIF_TEST_INC   = -Inet -I$(LWIP_DIR)/src/include

# lwIP compiles clean under HOST_CFLAGS' warnings too: no relaxations.
NETIF_LWIP_OBJS      := $(patsubst %.c,$(BUILD)/unit/lwip/%.o,$(LWIP_SRCS))
NETIF_LWIP_ASAN_OBJS := $(patsubst %.c,$(BUILD)/unit-asan/lwip/%.o,$(LWIP_SRCS))
NETIF_LWIP_CONF      := net/lwipopts.h net/arch/cc.h net/port.h

$(NETIF_LWIP_OBJS): $(BUILD)/unit/lwip/%.o: $(LWIP_DIR)/%.c $(NETIF_LWIP_CONF)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(NETIF_TEST_INC) -c $< -o $@

$(NETIF_LWIP_ASAN_OBJS): $(BUILD)/unit-asan/lwip/%.o: $(LWIP_DIR)/%.c $(NETIF_LWIP_CONF)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $(NETIF_TEST_INC) -c $< -o $@

$(BUILD)/unit/test_netif: $(NETIF_TEST_SRCS) $(PURE_SRCS) $(NETIF_TEST_HDRS) $(NETIF_LWIP_OBJS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(NETIF_TEST_INC) $(NETIF_TEST_SRCS) $(PURE_SRCS) \
		$(NETIF_LWIP_OBJS) -o $@

$(BUILD)/unit-asan/test_netif: $(NETIF_TEST_SRCS) $(PURE_SRCS) $(NETIF_TEST_HDRS) \
		$(NETIF_LWIP_ASAN_OBJS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $(NETIF_TEST_INC) $(NETIF_TEST_SRCS) \
		$(PURE_SRCS) $(NETIF_LWIP_ASAN_OBJS) -o $@
