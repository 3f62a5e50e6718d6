/*
 * The guest's PC devices wired together. Pure: see pcdev.h.
 */
#include "kernel/pcdev.h"

void pcdev_init(struct pcdev *pc, uint64_t tsc_hz, uint64_t unix_sec, uint64_t now)
{
	vpic_init(&pc->pic);
	vpit_init(&pc->pit, tsc_hz);
	vrtc_init(&pc->rtc, tsc_hz, unix_sec, now);
	vkbc_init(&pc->kbc);
	vioapic_init(&pc->ioapic, NULL, NULL);
}

void pcdev_set_irq(struct pcdev *pc, unsigned irq, int level)
{
	vpic_set_irq(&pc->pic, irq, level);
	vioapic_set_irq(&pc->ioapic, irq == VPIT_IRQ ? PCDEV_PIT_IOAPIC_PIN : irq, level);
}

bool pcdev_is_port(uint16_t port)
{
	return vpic_is_port(port) || vpit_is_port(port) || vkbc_is_port(port) ||
	       port == VRTC_PORT_INDEX || port == VRTC_PORT_DATA;
}

uint8_t pcdev_read(struct pcdev *pc, uint16_t port, uint64_t now)
{
	if (vpic_is_port(port))
		return vpic_read(&pc->pic, port);
	if (vpit_is_port(port))
		return vpit_read(&pc->pit, port, now);
	if (vkbc_is_port(port))
		return vkbc_read(&pc->kbc, port);
	return vrtc_read(&pc->rtc, port, now);
}

bool pcdev_write(struct pcdev *pc, uint16_t port, uint8_t val, uint64_t now)
{
	if (vpic_is_port(port)) {
		vpic_write(&pc->pic, port, val);
	} else if (vpit_is_port(port)) {
		vpit_write(&pc->pit, port, val, now);
		/* a new count or mode can make an edge due at once */
		pcdev_update(pc, now);
	} else if (vkbc_is_port(port)) {
		vkbc_write(&pc->kbc, port, val);
		return vkbc_take_reset(&pc->kbc);
	} else {
		vrtc_write(&pc->rtc, port, val, now);
	}
	return false;
}

void pcdev_update(struct pcdev *pc, uint64_t now)
{
	/* OUT0 rose: IRQ0 is edge-triggered, so a pulse latches one request */
	if (vpit_update(&pc->pit, now)) {
		pcdev_set_irq(pc, VPIT_IRQ, 1);
		pcdev_set_irq(pc, VPIT_IRQ, 0);
	}
}

uint64_t pcdev_next_event(const struct pcdev *pc)
{
	return vpit_next_irq(&pc->pit);
}

void pcdev_save(const struct pcdev *pc, uint64_t now, struct gs_pc *s)
{
	vpic_save(&pc->pic, &s->pic);
	vpit_save(&pc->pit, now, &s->pit);
	vrtc_save(&pc->rtc, now, &s->rtc);
	vkbc_save(&pc->kbc, &s->kbc);
}

void pcdev_load(struct pcdev *pc, const struct gs_pc *s, uint64_t now)
{
	vpic_load(&pc->pic, &s->pic);
	vpit_load(&pc->pit, &s->pit, now);
	vrtc_load(&pc->rtc, &s->rtc, now);
	vkbc_load(&pc->kbc, &s->kbc);
}
