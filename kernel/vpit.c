/*
 * The 8254 PIT and port 0x61. Pure: see vpit.h.
 *
 * A channel's count is never stored: it is derived from the PIT clock
 * ticks since the count was loaded, which come from the guest TSC, so a
 * guest polling the counter sees it move at 1.193182 MHz of its own time
 * and nothing has to run in between. Gates only restart counting (modes
 * 1, 2, 3, 5 on a rising edge); a low gate does not pause modes 0, 2, 3
 * and 4, and counting is binary even with the BCD bit set.
 */
#include <string.h>

#include "kernel/vpit.h"

/* Control word (figure 7): SC1-SC0, RW1-RW0, M2-M0, BCD. */
#define CTRL_SC_SHIFT 6
#define CTRL_SC_READ_BACK 3
#define CTRL_RW_SHIFT 4
#define CTRL_RW_LATCH 0
#define CTRL_MODE_SHIFT 1
#define CTRL_BCD 0x01
/* Read-back command (figure 11): COUNT and STATUS are active low. */
#define RB_NOT_COUNT 0x20
#define RB_NOT_STATUS 0x10
/* Status byte (figure 12). */
#define STATUS_OUT 0x80
#define STATUS_NULL_COUNT 0x40

/* Read/write states of the access modes (RW field: 1 LSB, 2 MSB, 3 LSB then MSB). */
enum { RW_LSB = 1, RW_MSB = 2, RW_WORD0 = 3, RW_WORD1 = 4 };

/* Port 0x61 (System Control Port B). */
#define SYSB_GATE2 0x01     /* timer 2 gate */
#define SYSB_WRITABLE 0x0f  /* gate, speaker data, parity and channel check enables */
#define SYSB_REFRESH 0x10   /* toggles every refresh cycle (15.085 us) */
#define SYSB_OUT2 0x20      /* timer 2 output */
#define REFRESH_TICKS 18    /* 15.085 us in PIT clocks */

/* PIT clock ticks in the guest TSC span [from, to]; none if to is before from. */
static uint64_t ticks_between(const struct vpit *p, uint64_t from, uint64_t to)
{
	uint64_t d = to - from;

	if ((int64_t)d < 0)
		return 0;
	/* split so that neither product overflows for any TSC below 10 THz */
	return d / p->tsc_hz * VPIT_HZ + d % p->tsc_hz * VPIT_HZ / p->tsc_hz;
}

/* Guest TSC ticks until n PIT ticks have passed, rounded up. */
static uint64_t tsc_of_ticks(const struct vpit *p, uint64_t n)
{
	return n / VPIT_HZ * p->tsc_hz + (n % VPIT_HZ * p->tsc_hz + VPIT_HZ - 1) / VPIT_HZ;
}

static uint64_t elapsed(const struct vpit *p, const struct vpit_channel *c, uint64_t now)
{
	return ticks_between(p, c->load_tsc, now);
}

void vpit_init(struct vpit *p, uint64_t tsc_hz)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->tsc_hz = tsc_hz ? tsc_hz : 1;
	for (i = 0; i < 3; i++) {
		p->ch[i].count = 0x10000;
		p->ch[i].rw_mode = p->ch[i].read_state = p->ch[i].write_state = RW_WORD0;
		p->ch[i].gate = i != 2; /* channels 0 and 1 are gated on for good */
	}
}

uint16_t vpit_count(const struct vpit *p, unsigned ch, uint64_t now)
{
	const struct vpit_channel *c = &p->ch[ch];
	uint64_t d;

	if (!c->loaded)
		return (uint16_t)c->count;
	d = elapsed(p, c, now);
	switch (c->mode) {
	case 2:
		return (uint16_t)(c->count - d % c->count);
	case 3:
		/* square wave: the counter steps by two */
		return (uint16_t)(c->count - (2 * d) % c->count);
	default:
		return (uint16_t)(c->count - d);
	}
}

bool vpit_out(const struct vpit *p, unsigned ch, uint64_t now)
{
	const struct vpit_channel *c = &p->ch[ch];
	uint64_t d;

	if (!c->loaded)
		return c->mode != 0; /* mode 0 drives OUT low from the control word on */
	d = elapsed(p, c, now);
	switch (c->mode) {
	case 0:
		return d >= c->count;          /* high at terminal count, until rewritten */
	case 1:
		return d >= c->count;          /* one-shot: low from the trigger to zero */
	case 2:
		return d % c->count != c->count - 1; /* low for the clock at count 1 */
	case 3:
		return d % c->count < (c->count + 1) / 2;
	default:
		return d != c->count;          /* modes 4, 5: a one-clock low strobe */
	}
}

/* PIT ticks after load of the first rising edge of OUT later than tick d; 0 none. */
static uint64_t next_edge(const struct vpit_channel *c, uint64_t d)
{
	switch (c->mode) {
	case 0:
	case 1:
		return d < c->count ? c->count : 0;
	case 2:
	case 3:
		return (d / c->count + 1) * c->count;
	default:
		return d <= c->count ? c->count + 1 : 0;
	}
}

/* Channel 0's next IRQ0 edge after now. */
static void arm_irq(struct vpit *p, uint64_t now)
{
	const struct vpit_channel *c = &p->ch[0];
	uint64_t e;

	p->irq_due = 0;
	if (!c->loaded)
		return;
	e = next_edge(c, elapsed(p, c, now));
	if (e)
		p->irq_due = c->load_tsc + tsc_of_ticks(p, e);
	if (e && !p->irq_due)
		p->irq_due = 1; /* 0 means "none" */
}

unsigned vpit_update(struct vpit *p, uint64_t now)
{
	uint64_t due = p->irq_due;

	if (!due || (int64_t)(now - due) < 0)
		return 0;
	arm_irq(p, now);
	p->irqs++;
	if (p->ch[0].mode == 2 || p->ch[0].mode == 3) {
		uint64_t period = tsc_of_ticks(p, p->ch[0].count);

		p->irqs_missed += (now - due) / (period ? period : 1);
	}
	return 1;
}

uint64_t vpit_next_irq(const struct vpit *p)
{
	return p->irq_due;
}

static void load_count(struct vpit *p, unsigned ch, uint32_t val, uint64_t now)
{
	struct vpit_channel *c = &p->ch[ch];

	c->count = val ? val : 0x10000;
	c->load_tsc = now;
	c->loaded = true;
	c->null_count = false;
	if (ch == 0)
		arm_irq(p, now);
}

static void latch_count(struct vpit *p, unsigned ch, uint64_t now)
{
	struct vpit_channel *c = &p->ch[ch];

	/* a second latch before the first is read is ignored */
	if (c->count_latched)
		return;
	c->latched_count = vpit_count(p, ch, now);
	c->count_latched = c->rw_mode;
}

static void latch_status(struct vpit *p, unsigned ch, uint64_t now)
{
	struct vpit_channel *c = &p->ch[ch];

	if (c->status_latched)
		return;
	c->status = (uint8_t)((vpit_out(p, ch, now) ? STATUS_OUT : 0) |
			      (c->null_count ? STATUS_NULL_COUNT : 0) |
			      (c->rw_mode << CTRL_RW_SHIFT) | (c->mode << CTRL_MODE_SHIFT) | c->bcd);
	c->status_latched = true;
}

static void write_control(struct vpit *p, uint8_t val, uint64_t now)
{
	unsigned ch = val >> CTRL_SC_SHIFT, rw = (val >> CTRL_RW_SHIFT) & 3, i;
	struct vpit_channel *c;

	if (ch == CTRL_SC_READ_BACK) {
		for (i = 0; i < 3; i++) {
			if (!(val & (2u << i)))
				continue;
			if (!(val & RB_NOT_COUNT))
				latch_count(p, i, now);
			if (!(val & RB_NOT_STATUS))
				latch_status(p, i, now);
		}
		return;
	}
	if (rw == CTRL_RW_LATCH) {
		latch_count(p, ch, now);
		return;
	}
	c = &p->ch[ch];
	c->rw_mode = c->read_state = c->write_state = (uint8_t)rw;
	c->mode = (val >> CTRL_MODE_SHIFT) & 7;
	if (c->mode > 5)
		c->mode -= 4; /* 110 and 111 are modes 2 and 3 */
	c->bcd = val & CTRL_BCD;
	c->loaded = false; /* the channel waits for its new count */
	c->null_count = true;
	if (ch == 0)
		p->irq_due = 0;
}

static void write_counter(struct vpit *p, unsigned ch, uint8_t val, uint64_t now)
{
	struct vpit_channel *c = &p->ch[ch];

	switch (c->write_state) {
	case RW_LSB:
		load_count(p, ch, val, now);
		break;
	case RW_MSB:
		load_count(p, ch, (uint32_t)val << 8, now);
		break;
	case RW_WORD0:
		c->write_latch = val;
		c->write_state = RW_WORD1;
		c->null_count = true;
		break;
	default:
		load_count(p, ch, c->write_latch | (uint32_t)val << 8, now);
		c->write_state = RW_WORD0;
		break;
	}
}

/* A latched count: its bytes in the access mode it was latched with. */
static uint8_t read_latched(struct vpit_channel *c)
{
	switch (c->count_latched) {
	case RW_MSB:
		c->count_latched = 0;
		return (uint8_t)(c->latched_count >> 8);
	case RW_WORD0:
		c->count_latched = RW_MSB;
		return (uint8_t)c->latched_count;
	default:
		c->count_latched = 0;
		return (uint8_t)c->latched_count;
	}
}

static uint8_t read_counter(struct vpit *p, unsigned ch, uint64_t now)
{
	struct vpit_channel *c = &p->ch[ch];
	uint16_t count;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched)
		return read_latched(c);
	count = vpit_count(p, ch, now);
	switch (c->read_state) {
	case RW_MSB:
		return (uint8_t)(count >> 8);
	case RW_WORD0:
		c->read_state = RW_WORD1;
		return (uint8_t)count;
	case RW_WORD1:
		c->read_state = RW_WORD0;
		return (uint8_t)(count >> 8);
	default:
		return (uint8_t)count;
	}
}

/* Channel 2's gate from port 0x61: a rising edge restarts modes 1, 2, 3 and 5. */
static void set_gate2(struct vpit *p, bool gate, uint64_t now)
{
	struct vpit_channel *c = &p->ch[2];

	if (gate && !c->gate && c->loaded && c->mode != 0 && c->mode != 4)
		c->load_tsc = now;
	c->gate = gate;
}

bool vpit_is_port(uint16_t port)
{
	return (port >= VPIT_PORT_CH0 && port <= VPIT_PORT_CTRL) || port == VPIT_PORT_SYSCTL_B;
}

uint8_t vpit_read(struct vpit *p, uint16_t port, uint64_t now)
{
	if (port == VPIT_PORT_SYSCTL_B) {
		uint64_t refresh = ticks_between(p, 0, now) / REFRESH_TICKS;

		return (uint8_t)((p->port61 & SYSB_WRITABLE) | ((refresh & 1) ? SYSB_REFRESH : 0) |
				 (vpit_out(p, 2, now) ? SYSB_OUT2 : 0));
	}
	if (port == VPIT_PORT_CTRL)
		return 0xff; /* the control register cannot be read */
	return read_counter(p, port - VPIT_PORT_CH0, now);
}

void vpit_write(struct vpit *p, uint16_t port, uint8_t val, uint64_t now)
{
	if (port == VPIT_PORT_SYSCTL_B) {
		p->port61 = val & SYSB_WRITABLE;
		set_gate2(p, val & SYSB_GATE2, now);
	} else if (port == VPIT_PORT_CTRL) {
		write_control(p, val, now);
	} else if (port >= VPIT_PORT_CH0 && port < VPIT_PORT_CTRL) {
		write_counter(p, port - VPIT_PORT_CH0, val, now);
	}
}

static void channel_save(const struct vpit_channel *c, uint64_t now, struct gs_vpit_channel *s)
{
	*s = (struct gs_vpit_channel){
		.count = c->count, .latched_count = c->latched_count,
		.count_latched = c->count_latched, .status_latched = c->status_latched,
		.status = c->status, .read_state = c->read_state, .write_state = c->write_state,
		.write_latch = c->write_latch, .rw_mode = c->rw_mode, .mode = c->mode, .bcd = c->bcd,
		.gate = c->gate, .null_count = c->null_count, .loaded = c->loaded,
		.elapsed = now - c->load_tsc,
	};
}

static void channel_load(struct vpit_channel *c, const struct gs_vpit_channel *s, uint64_t now)
{
	/* the decoder checked the ranges; clamps keep the model safe regardless */
	c->count = s->count >= 1 && s->count <= 0x10000 ? s->count : 0x10000;
	c->latched_count = s->latched_count;
	c->count_latched = s->count_latched <= RW_WORD0 ? s->count_latched : 0;
	c->status_latched = s->status_latched;
	c->status = s->status;
	c->read_state = s->read_state >= RW_LSB && s->read_state <= RW_WORD1 ? s->read_state : RW_LSB;
	c->write_state = s->write_state >= RW_LSB && s->write_state <= RW_WORD1 ? s->write_state : RW_LSB;
	c->write_latch = s->write_latch;
	c->rw_mode = s->rw_mode >= RW_LSB && s->rw_mode <= RW_WORD0 ? s->rw_mode : RW_LSB;
	c->mode = s->mode <= 5 ? s->mode : 0;
	c->bcd = s->bcd;
	c->gate = s->gate;
	c->null_count = s->null_count;
	c->loaded = s->loaded;
	c->load_tsc = now - s->elapsed;
}

void vpit_save(const struct vpit *p, uint64_t now, struct gs_vpit *s)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 3; i++)
		channel_save(&p->ch[i], now, &s->ch[i]);
	s->port61 = p->port61;
	s->irq_armed = p->irq_due != 0;
	s->irq_remaining = p->irq_due ? p->irq_due - now : 0;
}

void vpit_load(struct vpit *p, const struct gs_vpit *s, uint64_t now)
{
	unsigned i;

	for (i = 0; i < 3; i++)
		channel_load(&p->ch[i], &s->ch[i], now);
	p->ch[0].gate = p->ch[1].gate = true;
	p->port61 = s->port61 & SYSB_WRITABLE;
	p->ch[2].gate = p->port61 & SYSB_GATE2;
	p->irq_due = s->irq_armed ? now + s->irq_remaining : 0;
	if (s->irq_armed && !p->irq_due)
		p->irq_due = 1;
}
