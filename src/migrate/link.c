// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/random.h"
#include "core/sched.h"
#include "lib/format.h"
#include "lib/spinlock.h"
#include "migrate/link.h"
#include "migrate/migrate.h"
#include "migrate/wire.h"
#include "virtio/mmio_regs.h"
#include "virtio/scan.h"

/* Frames taken per call, so that no call keeps its CPU long; the rest come next time. */
#define RX_BUDGET 64
#define UPPER_MAX 2 /* the layers above: the enclave agents and the migration stream */

static struct {
	/*
	 * protects: net, session, tx, said_broken. Trylocked by the interrupt
	 * and the time slice (work asked for meanwhile is done by the holder,
	 * or at the next slice); the shell's commands spin on it, which is safe
	 * because its holder never waits for anything. Held around logging
	 * (log_lock) and the random generator's lock.
	 */
	struct spinlock lock;
	bool wanted; /* atomic: work was asked for while the lock was held */
	/* Set at boot, read-only afterwards. */
	bool up;
	unsigned int cpu; /* the boot CPU: the interrupt's and the time slice's */
	unsigned int intid;
	uint64_t irqs; /* atomic */
	struct vnet net;
	struct session session;
	uint8_t *tx; /* the frame being written, between tx_begin and tx_end */
	bool said_broken;
	/* The layers above (link_add_upper, at boot), and whether they were told of a session. */
	const struct link_upper *upper[UPPER_MAX];
	unsigned int nupper;
	uint32_t told_session; /* the open session they were told of; 0: none */
} link;

static uint8_t *io_tx_begin(void *ctx, size_t *cap)
{
	size_t frame_cap;
	uint8_t *b = vnet_tx_buffer(&link.net, &frame_cap);

	(void)ctx;
	if (!b || frame_cap < WIRE_HDRS)
		return NULL;
	link.tx = b;
	*cap = frame_cap - WIRE_HDRS;
	return b + WIRE_HDRS;
}

static unsigned int io_tx_room(void *ctx)
{
	(void)ctx;
	return vnet_tx_room(&link.net);
}

static void io_tx_end(void *ctx, uint8_t type, uint32_t id, uint32_t seq, uint16_t len)
{
	(void)ctx;
	vnet_tx_commit(&link.net, wire_seal(link.tx, link.net.mac, type, id, seq, len));
	link.tx = NULL;
}

static void io_note(void *ctx, enum session_level level, const char *text)
{
	(void)ctx;
	if (level == SESSION_ERROR)
		log_error("link: %s", text);
	else if (level == SESSION_WARN)
		log_warn("link: %s", text);
	else
		log_info("link: %s", text);
}

/*
 * A frame of the layers' types: the migration stream's (migrate/migrate.h), or
 * the layer that takes it (link_add_upper); none ends the session.
 */
static void io_deliver(void *ctx, uint8_t type, const uint8_t *payload, uint16_t len)
{
	char why[80];

	(void)ctx;
	if (type >= MIG_T_OFFER && type <= MIG_T_LAST) {
		migrate_deliver(&link.session, type, payload, len, link.session.now);
		return;
	}
	for (unsigned int i = 0; i < link.nupper; i++)
		if (type >= link.upper[i]->first && type <= link.upper[i]->last) {
			link.upper[i]->deliver(type, payload, len);
			return;
		}
	format(why, sizeof(why), "frame type 0x%02x: nothing here takes it", type);
	session_close(&link.session, why);
}

/* Tells the layers above of a session that opened or ended since they were last told. */
static void tell_upper(void)
{
	const struct session *s = &link.session;
	uint32_t open = s->state == SESSION_OPEN ? s->id : 0;

	if (open == link.told_session)
		return;
	if (link.told_session)
		for (unsigned int i = 0; i < link.nupper; i++)
			if (link.upper[i]->ended)
				link.upper[i]->ended(s->last_end);
	link.told_session = open;
	if (open)
		for (unsigned int i = 0; i < link.nupper; i++)
			if (link.upper[i]->opened)
				link.upper[i]->opened();
}

/* The device stopped working: said once; the session ends without a word to the peer. */
static void device_broken(void)
{
	if (link.said_broken)
		return;
	link.said_broken = true;
	log_error("link: %s; the host link is down until Skiff restarts", link.net.why);
	if (link.session.state != SESSION_IDLE)
		session_close(&link.session, "the link's device broke");
}

/* Takes what came, answers, times out, kicks the device. Under the lock. */
static void service(void)
{
	uint64_t now = arch_counter();
	const uint8_t *frame;
	unsigned int n = 0;
	size_t len;

	if (vnet_service(&link.net) < 0) {
		device_broken();
		return;
	}
	while (n++ < RX_BUDGET && (frame = vnet_rx_peek(&link.net, &len))) {
		session_receive(&link.session, frame, len, now);
		vnet_rx_release(&link.net);
		tell_upper();
	}
	session_tick(&link.session, now);
	tell_upper();
	for (unsigned int i = 0; i < link.nupper; i++)
		if (link.upper[i]->tick)
			link.upper[i]->tick(now);
	migrate_service(&link.session, now);
	if (vnet_service(&link.net) < 0)
		device_broken();
}

/* The work, by whoever holds the lock; asked of the holder when another CPU has it. */
static void run(void)
{
	do {
		if (!spin_trylock(&link.lock)) {
			__atomic_store_n(&link.wanted, true, __ATOMIC_SEQ_CST);
			return;
		}
		__atomic_store_n(&link.wanted, false, __ATOMIC_SEQ_CST);
		service();
		spin_unlock(&link.lock);
	} while (__atomic_load_n(&link.wanted, __ATOMIC_SEQ_CST));
}

static void link_irq(unsigned int intid, struct vcpu *loaded)
{
	(void)intid;
	(void)loaded;
	/* The status registers are the device's own: no lock needed to acknowledge. */
	virtio_mmio_irq_ack(&link.net.dev);
	__atomic_fetch_add(&link.irqs, 1, __ATOMIC_RELAXED);
	run();
}

static void link_tick(void)
{
	if (arch_cpu_index() == link.cpu)
		run();
}

/* Brings up @f as the link's device; false (logged) when it cannot be. */
static bool bring_up(const struct virtio_found *f)
{
	static const struct session_io io = { .tx_begin = io_tx_begin,
					      .tx_end = io_tx_end,
					      .note = io_note,
					      .tx_room = io_tx_room,
					      .deliver = io_deliver };
	uint64_t host_id = random_u64();
	char err[200];

	if (vnet_init(&link.net, &f->dev, f->intid != 0, err, sizeof(err))) {
		log_error("link: %s: no host link", err);
		return false;
	}
	if (vnet_max_frame(&link.net) < WIRE_HDRS + SESSION_MIN_PAYLOAD) {
		log_error("link: virtio-net at 0x%lx: frames of %lu bytes cannot carry the link's "
			  "(%u at least): no host link",
			  (unsigned long)pa_addr(f->dev.base),
			  (unsigned long)vnet_max_frame(&link.net),
			  WIRE_HDRS + SESSION_MIN_PAYLOAD);
		return false;
	}
	session_init(&link.session, &io, host_id,
		     (uint16_t)(vnet_max_frame(&link.net) - WIRE_HDRS < WIRE_PAYLOAD_MAX
					? vnet_max_frame(&link.net) - WIRE_HDRS
					: WIRE_PAYLOAD_MAX),
		     arch_counter_freq());
	log_info("link: virtio-net at 0x%lx, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u, features "
		 "0x%lx, %s; host id %016lx",
		 (unsigned long)pa_addr(f->dev.base), link.net.mac[0], link.net.mac[1],
		 link.net.mac[2], link.net.mac[3], link.net.mac[4], link.net.mac[5], link.net.mtu,
		 (unsigned long)link.net.dev.features,
		 f->intid ? "by interrupt and each time slice" : "polled each time slice",
		 (unsigned long)host_id);
	return true;
}

void link_init(const struct platform *plat)
{
	struct virtio_found found[PLATFORM_MAX_VIRTIO];
	unsigned int n = virtio_scan(plat, found, PLATFORM_MAX_VIRTIO);

	for (unsigned int i = 0; i < n; i++) {
		if (found[i].dev.device_id != VIRTIO_ID_NET)
			continue;
		if (!bring_up(&found[i]))
			return;
		link.cpu = arch_cpu_index();
		if (found[i].intid &&
		    !irq_reserve(found[i].intid, link_irq, "host link (virtio-net)")) {
			link.intid = found[i].intid;
			arch_irq_enable_shared(link.intid, link.cpu);
		}
		sched_on_tick(link_tick);
		link.up = true;
		return;
	}
	log_info("link: no virtio-net device: this host has no link to another "
		 "(docs/migration.md)");
}

static int no_link(char *err, size_t errlen)
{
	format(err, errlen,
	       "this host has no link (QEMU: -netdev stream,... -device virtio-net-device; "
	       "docs/migration.md)");
	return -1;
}

static uint32_t new_session_id(void)
{
	uint32_t id;

	do
		id = (uint32_t)random_u64();
	while (!id);
	return id;
}

void link_get_status(struct link_status *out)
{
	const struct session *s = &link.session;

	memset(out, 0, sizeof(*out));
	if (!link.up)
		return;
	spin_lock(&link.lock);
	*out = (struct link_status){
		.present = true,
		.broken = link.net.broken,
		.base = pa_addr(link.net.dev.base),
		.intid = link.intid,
		.mtu = link.net.mtu,
		.features = link.net.dev.features,
		.host_id = s->host_id,
		.state = s->state,
		.id = s->id,
		.peer_host = s->peer_host,
		.tx_seq = s->tx_seq,
		.rx_seq = s->rx_seq,
		.payload_limit = session_payload_limit(s),
		.stats = s->stats,
		.dev = link.net.stats,
	};
	if (s->state == SESSION_OPEN && arch_counter_freq())
		out->open_ms = (arch_counter() - s->since) * 1000 / arch_counter_freq();
	memcpy(out->mac, link.net.mac, sizeof(out->mac));
	memcpy(out->why, link.net.why, sizeof(out->why));
	memcpy(out->last_end, s->last_end, sizeof(out->last_end));
	spin_unlock(&link.lock);
	out->dev.irqs = __atomic_load_n(&link.irqs, __ATOMIC_RELAXED);
}

int link_open(char *err, size_t errlen)
{
	int r;

	if (!link.up)
		return no_link(err, errlen);
	spin_lock(&link.lock);
	r = session_open(&link.session, new_session_id(), arch_counter(), err, errlen);
	service();
	spin_unlock(&link.lock);
	return r;
}

/* Lock held: offers a session when none is open or offered. 0, or -1 with @err. */
static int offer_if_idle(char *err, size_t errlen)
{
	if (link.session.state != SESSION_IDLE)
		return 0;
	return session_open(&link.session, new_session_id(), arch_counter(), err, errlen);
}

int link_ping(unsigned int count, unsigned int size, char *err, size_t errlen)
{
	int r;

	if (!link.up)
		return no_link(err, errlen);
	spin_lock(&link.lock);
	r = offer_if_idle(err, errlen);
	if (!r)
		r = session_ping(&link.session, count, size, arch_counter(), err, errlen);
	service();
	spin_unlock(&link.lock);
	return r;
}

int link_close(char *err, size_t errlen)
{
	if (!link.up)
		return no_link(err, errlen);
	spin_lock(&link.lock);
	if (link.session.state == SESSION_IDLE) {
		spin_unlock(&link.lock);
		format(err, errlen, "no session is open or offered");
		return -1;
	}
	session_close(&link.session, "closed by the operator");
	service();
	spin_unlock(&link.lock);
	return 0;
}

int link_add_upper(const struct link_upper *u)
{
	if (link.nupper == UPPER_MAX || u->first < LINK_T_USER_FIRST ||
	    u->last > LINK_T_USER_LAST || u->first > u->last || !u->deliver)
		return -1;
	/* The migration stream's types are its own (io_deliver). */
	if (u->first <= MIG_T_LAST && MIG_T_OFFER <= u->last)
		return -1;
	for (unsigned int i = 0; i < link.nupper; i++)
		if (u->first <= link.upper[i]->last && link.upper[i]->first <= u->last)
			return -1;
	spin_lock(&link.lock);
	link.upper[link.nupper++] = u;
	spin_unlock(&link.lock);
	return 0;
}

int link_send_locked(uint8_t type, const uint8_t *payload, uint16_t len, char *err, size_t errlen)
{
	if (!link.up)
		return no_link(err, errlen);
	return session_send(&link.session, type, payload, len, err, errlen);
}

int link_call(void (*fn)(bool open), char *err, size_t errlen)
{
	int r;

	if (!link.up)
		return no_link(err, errlen);
	spin_lock(&link.lock);
	tell_upper();
	r = offer_if_idle(err, errlen);
	if (!r)
		fn(link.session.state == SESSION_OPEN);
	service();
	spin_unlock(&link.lock);
	return r;
}

int link_migrate(struct vm *vm, bool catch_up, char *err, size_t errlen)
{
	int r;

	if (!link.up)
		return no_link(err, errlen);
	spin_lock(&link.lock);
	r = offer_if_idle(err, errlen);
	if (!r)
		r = migrate_start(&link.session, vm, catch_up, NULL, arch_counter(), err, errlen);
	service();
	spin_unlock(&link.lock);
	return r;
}

int link_migrate_sealed_locked(struct vm *vm, bool catch_up, const struct migrate_seal *seal,
			       char *err, size_t errlen)
{
	return migrate_start(&link.session, vm, catch_up, seal, arch_counter(), err, errlen);
}

void link_deliver_sealed_locked(const struct migrate_seal *seal, uint8_t type,
				const uint8_t *payload, uint16_t len)
{
	if (type < MIG_T_OFFER || type > MIG_T_LAST) {
		log_warn("link: a sealed frame of type 0x%02x: not a migration frame; dropped",
			 type);
		return;
	}
	migrate_deliver_sealed(&link.session, seal, type, payload, len, link.session.now);
}
