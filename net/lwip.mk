# lwIP 2.1.3 core, built from the source scripts/setup.sh unpacks into
# $(LWIP_DIR). Included by the Makefile after KCFLAGS and NET_SRCS are set.

LWIP_SRCS := $(addprefix src/core/,init.c def.c dns.c inet_chksum.c ip.c \
        mem.c memp.c netif.c pbuf.c raw.c stats.c sys.c tcp.c tcp_in.c \
        tcp_out.c timeouts.c udp.c) \
        $(addprefix src/core/ipv4/,autoip.c dhcp.c etharp.c icmp.c igmp.c \
        ip4.c ip4_addr.c ip4_frag.c) \
        src/netif/ethernet.c

LWIP_OBJS := $(patsubst %.c,$(BUILD)/obj/lwip/%.o,$(LWIP_SRCS))

# Flags for lwIP's files only. Its assertions embed __FILE__: name the
# files by lwIP's own layout, not by where BUILD happens to be, so the
# image does not change with the build directory. No warning relaxations
# are needed: with net/lwipopts.h lwIP 2.1.3 compiles clean under
# KCFLAGS (LWIP_DEBUG on or off); our own code keeps all of them too.
LWIP_CFLAGS := -ffile-prefix-map=$(LWIP_DIR)/=lwip/

NET_SRCS += net/port.c

# The Makefile sets DEPS_STAMP after including this file, and rule
# prerequisites expand as they are read: name it here too, identically.
DEPS_STAMP ?= $(BUILD)/.deps-ok

# The sources exist only once set-up has fetched them; this empty rule
# makes them wait for it instead of "No rule to make target".
$(addprefix $(LWIP_DIR)/,$(LWIP_SRCS)): | $(DEPS_STAMP)

$(LWIP_OBJS): $(BUILD)/obj/lwip/%.o: $(LWIP_DIR)/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(LWIP_CFLAGS) -MMD -c $< -o $@
