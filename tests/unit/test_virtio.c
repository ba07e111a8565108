// SPDX-License-Identifier: MIT
/*
 * The driver side of virtio (src/virtio/): the virtio-mmio transport against
 * a model of a device's registers (the order of the status handshake, feature
 * negotiation, queues, config generations), the split virtqueue against a
 * device the test plays by hand (what it may and may not write into the used
 * ring), the chain walker both sides share, and the virtio-net driver's
 * buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/mem.h"
#include "fake_arch.h"
#include "virtio/chain.h"
#include "virtio/mmio.h"
#include "virtio/mmio_regs.h"
#include "virtio/net.h"
#include "virtio/virtq.h"

#define BASE 0x0a003e00UL

/* The device's side of the transport: its registers and what the driver wrote. */
static struct {
	uint32_t magic, version, device_id;
	uint64_t offered, accepted;
	uint32_t dev_sel, drv_sel;
	uint32_t status;
	uint32_t status_writes[16];
	unsigned int nstatus;
	bool never_resets, refuse_features;
	uint32_t queue_sel;
	struct {
		uint32_t num_max, num, ready;
		uint64_t desc, driver, device;
	} q[4];
	uint32_t notified[64];
	unsigned int nnotify;
	uint32_t isr, acked;
	uint8_t config[64];
	uint32_t generation;
	unsigned int unstable_reads; /* config reads that see the generation move */
} dev;

static uint32_t dev_read(uint64_t reg, unsigned int width)
{
	uint64_t off = reg - BASE;

	if (off >= VIRTIO_MMIO_CONFIG) {
		size_t at = off - VIRTIO_MMIO_CONFIG;
		uint32_t v = 0;

		assert_true(at + width <= sizeof(dev.config));
		memcpy(&v, dev.config + at, width);
		if (dev.unstable_reads) {
			dev.unstable_reads--;
			dev.generation++;
		}
		return v;
	}
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return dev.magic;
	case VIRTIO_MMIO_VERSION:
		return dev.version;
	case VIRTIO_MMIO_DEVICE_ID:
		return dev.device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return 0x554d4551;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return (uint32_t)(dev.offered >> (32 * dev.dev_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return dev.q[dev.queue_sel].num_max;
	case VIRTIO_MMIO_QUEUE_READY:
		return dev.q[dev.queue_sel].ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return dev.isr;
	case VIRTIO_MMIO_STATUS:
		return dev.status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return dev.generation;
	default:
		fail_msg("read of register 0x%lx", (unsigned long)off);
		return 0;
	}
}

static void set_half(uint64_t *v, unsigned int half, uint32_t value)
{
	*v = (*v & ~(0xffffffffULL << (32 * half))) | ((uint64_t)value << (32 * half));
}

static void dev_write(uint64_t reg, uint32_t v)
{
	uint64_t off = reg - BASE;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEAT_SEL:
		dev.dev_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEAT_SEL:
		dev.drv_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		set_half(&dev.accepted, dev.drv_sel, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		dev.queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		dev.q[dev.queue_sel].num = v;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		dev.q[dev.queue_sel].ready = v;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_half(&dev.q[dev.queue_sel].desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		set_half(&dev.q[dev.queue_sel].driver, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		set_half(&dev.q[dev.queue_sel].device, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		assert_true(dev.nnotify < 64);
		dev.notified[dev.nnotify++] = v;
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		dev.acked |= v;
		dev.isr &= ~v;
		break;
	case VIRTIO_MMIO_STATUS:
		assert_true(dev.nstatus < 16);
		dev.status_writes[dev.nstatus++] = v;
		if (v == 0 && dev.never_resets)
			break; /* the reset never finishes: status keeps its old value */
		if ((v & VIRTIO_STATUS_FEATURES_OK) && dev.refuse_features)
			v &= ~VIRTIO_STATUS_FEATURES_OK;
		dev.status = v;
		break;
	default:
		fail_msg("write of 0x%x to register 0x%lx", v, (unsigned long)off);
	}
}

static void new_device(uint32_t id)
{
	memset(&dev, 0, sizeof(dev));
	dev.magic = VIRTIO_MMIO_MAGIC;
	dev.version = VIRTIO_MMIO_MODERN;
	dev.device_id = id;
	dev.status = VIRTIO_STATUS_ACKNOWLEDGE; /* left over from an earlier driver */
	dev.offered = VIRTIO_FEATURE(VIRTIO_F_VERSION_1) | VIRTIO_FEATURE(VIRTIO_NET_F_MAC) |
		      VIRTIO_FEATURE(40);
	for (int i = 0; i < 4; i++)
		dev.q[i].num_max = 256;
	fake_reset();
	fake.mmio_read = dev_read;
	fake.mmio_write = dev_write;
}

static struct virtio_mmio probe_ok(void)
{
	struct virtio_mmio m;
	char err[200];

	assert_int_equal(virtio_mmio_probe(pa_init(BASE), &m, err, sizeof(err)), 0);
	return m;
}

static void expect_err(const char *err, const char *want)
{
	if (!strstr(err, want))
		fail_msg("\"%s\" does not say \"%s\"", err, want);
}

/* ---- the transport ---- */

static void test_probe(void **state)
{
	struct virtio_mmio m;
	char err[200];

	(void)state;
	new_device(VIRTIO_ID_NET);
	m = probe_ok();
	assert_int_equal(m.device_id, VIRTIO_ID_NET);
	assert_int_equal(m.vendor_id, 0x554d4551);
	/* An empty transport is no error: there is nothing behind it. */
	new_device(0);
	assert_int_equal(probe_ok().device_id, 0);
	dev.version = VIRTIO_MMIO_LEGACY;
	assert_int_equal(probe_ok().device_id, 0);
	/* A device behind a legacy transport is refused, with the option that fixes it. */
	dev.device_id = VIRTIO_ID_NET;
	assert_int_equal(virtio_mmio_probe(pa_init(BASE), &m, err, sizeof(err)), -1);
	expect_err(err, "virtio-mmio at 0xa003e00: device 1 behind a legacy (version 1) "
			"transport; Skiff drives version 2 only (QEMU: -global "
			"virtio-mmio.force-legacy=false)");
	dev.version = 3;
	assert_int_equal(virtio_mmio_probe(pa_init(BASE), &m, err, sizeof(err)), -1);
	expect_err(err, "unknown version 3");
	dev.magic = 0x12345678;
	assert_int_equal(virtio_mmio_probe(pa_init(BASE), &m, err, sizeof(err)), -1);
	expect_err(err, "magic value 0x12345678, not \"virt\"");
}

static void test_the_handshake_goes_in_the_specifications_order(void **state)
{
	struct virtio_mmio m;
	char err[200];

	(void)state;
	new_device(VIRTIO_ID_NET);
	m = probe_ok();
	assert_int_equal(virtio_mmio_begin(&m, err, sizeof(err)), 0);
	assert_int_equal(virtio_mmio_negotiate(&m, 0,
					       VIRTIO_FEATURE(VIRTIO_NET_F_MAC) |
						       VIRTIO_FEATURE(VIRTIO_NET_F_MTU),
					       err, sizeof(err)),
			 0);
	assert_int_equal(virtio_mmio_driver_ok(&m, err, sizeof(err)), 0);
	/* Reset, ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK (3.1.1), each keeping the last. */
	assert_int_equal(dev.nstatus, 5);
	assert_int_equal(dev.status_writes[0], 0);
	assert_int_equal(dev.status_writes[1], 1);
	assert_int_equal(dev.status_writes[2], 3);
	assert_int_equal(dev.status_writes[3], 11);
	assert_int_equal(dev.status_writes[4], 15);
	/* What was accepted: VERSION_1 and the wanted bit offered, not MTU, not bit 40. */
	assert_int_equal(dev.accepted,
			 VIRTIO_FEATURE(VIRTIO_F_VERSION_1) | VIRTIO_FEATURE(VIRTIO_NET_F_MAC));
	assert_int_equal(m.features, dev.accepted);
}

static void test_platform_features_are_taken_when_offered(void **state)
{
	struct virtio_mmio m;
	char err[200];

	(void)state;
	new_device(VIRTIO_ID_NET);
	dev.offered |= VIRTIO_FEATURE(VIRTIO_F_ACCESS_PLATFORM) |
		       VIRTIO_FEATURE(VIRTIO_F_ORDER_PLATFORM) |
		       VIRTIO_FEATURE(VIRTIO_F_RING_PACKED);
	m = probe_ok();
	assert_int_equal(virtio_mmio_begin(&m, err, sizeof(err)), 0);
	assert_int_equal(virtio_mmio_negotiate(&m, 0, 0, err, sizeof(err)), 0);
	assert_int_equal(dev.accepted, VIRTIO_FEATURE(VIRTIO_F_VERSION_1) |
					       VIRTIO_FEATURE(VIRTIO_F_ACCESS_PLATFORM) |
					       VIRTIO_FEATURE(VIRTIO_F_ORDER_PLATFORM));
}

static void test_negotiation_failures(void **state)
{
	struct virtio_mmio m;
	char err[200];

	(void)state;
	/* A device without VERSION_1 (a legacy one at heart): refused, and told FAILED. */
	new_device(VIRTIO_ID_NET);
	dev.offered = VIRTIO_FEATURE(VIRTIO_NET_F_MAC);
	m = probe_ok();
	assert_int_equal(virtio_mmio_begin(&m, err, sizeof(err)), 0);
	assert_int_equal(virtio_mmio_negotiate(&m, 0, 0, err, sizeof(err)), -1);
	expect_err(err, "device 1 does not offer feature bits 0x100000000 (offers 0x20)");
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
	/* A device that does not keep FEATURES_OK. */
	new_device(VIRTIO_ID_NET);
	dev.refuse_features = true;
	m = probe_ok();
	assert_int_equal(virtio_mmio_begin(&m, err, sizeof(err)), 0);
	assert_int_equal(virtio_mmio_negotiate(&m, 0, 0, err, sizeof(err)), -1);
	expect_err(err, "device 1 refused the features 0x100000000 (FEATURES_OK not kept)");
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
	/* A reset that never finishes: given up after 100 ms of the (fake) counter. */
	new_device(VIRTIO_ID_NET);
	dev.never_resets = true;
	m = probe_ok();
	assert_int_equal(virtio_mmio_begin(&m, err, sizeof(err)), -1);
	expect_err(err, "device 1 still resetting after 100 ms");
}

static void test_queue_sizes(void **state)
{
	struct virtio_mmio m;
	char err[200];

	(void)state;
	new_device(VIRTIO_ID_NET);
	m = probe_ok();
	dev.q[0].num_max = 1024;
	assert_int_equal(virtio_mmio_queue_size(&m, 0, 256, err, sizeof(err)), 256);
	dev.q[1].num_max = 100;
	assert_int_equal(virtio_mmio_queue_size(&m, 1, 256, err, sizeof(err)), 64);
	dev.q[2].num_max = 0;
	assert_int_equal(virtio_mmio_queue_size(&m, 2, 256, err, sizeof(err)), 0);
	expect_err(err, "device 1 has no queue 2");
	dev.q[3].ready = 1;
	assert_int_equal(virtio_mmio_queue_size(&m, 3, 256, err, sizeof(err)), 0);
	expect_err(err, "device 1 has no queue 3 that is not in use already");
}

static void test_config_is_read_again_while_its_generation_moves(void **state)
{
	struct virtio_mmio m;
	uint8_t mac[6];
	char err[200];

	(void)state;
	new_device(VIRTIO_ID_NET);
	m = probe_ok();
	memcpy(dev.config, "\x52\x54\x00\x12\x34\x56", 6);
	dev.unstable_reads = 3;
	assert_int_equal(virtio_mmio_config_read(&m, 0, mac, 6, 1, err, sizeof(err)), 0);
	assert_memory_equal(mac, "\x52\x54\x00\x12\x34\x56", 6);
	assert_int_equal(dev.unstable_reads, 0);
	dev.unstable_reads = 1000;
	assert_int_equal(virtio_mmio_config_read(&m, 0, mac, 6, 1, err, sizeof(err)), -1);
	expect_err(err, "device 1's config kept changing while read (16 tries)");
}

/* ---- the split virtqueue, with the test as the device ---- */

#define QSIZE 8

static struct virtq q;
static uint8_t qmem[4096] __attribute__((aligned(4096)));
static char tokens[QSIZE];

static void new_queue(bool event_idx)
{
	fake_reset();
	virtq_init(&q, QSIZE, qmem, event_idx);
}

static void add_chain(unsigned int nout, unsigned int nin, uint32_t len, int token)
{
	struct virtq_buf out[4], in[4];

	for (unsigned int i = 0; i < 4; i++) {
		out[i] = (struct virtq_buf){ pa_init(0x1000 * (i + 1)), len };
		in[i] = (struct virtq_buf){ pa_init(0x9000 * (i + 1)), len };
	}
	assert_int_equal(virtq_add(&q, out, nout, in, nin, &tokens[token]), 0);
}

/* The device says it is done with the chain at @head, having written @len bytes. */
static void device_uses(uint16_t head, uint32_t len)
{
	struct virtq_used_elem *e = &q.ring.used->ring[q.ring.used->idx % QSIZE];

	e->id = head;
	e->len = len;
	q.ring.used->idx++;
}

static void test_chains_as_the_device_sees_them(void **state)
{
	struct virtq_chain c;
	char err[200];

	(void)state;
	new_queue(false);
	add_chain(1, 2, 100, 0);
	assert_int_equal(q.ring.avail->idx, 0); /* not the device's before publishing */
	assert_true(virtq_publish(&q));
	assert_int_equal(q.ring.avail->idx, 1);
	assert_int_equal(q.ring.avail->ring[0], 0);
	assert_int_equal(virtq_chain_read(&q.ring, 0, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nseg, 3);
	assert_int_equal(c.nreadable, 1);
	assert_int_equal(c.readable_bytes, 100);
	assert_int_equal(c.writable_bytes, 200);
	assert_int_equal(c.seg[0].addr, 0x1000);
	assert_false(c.seg[0].device_writes);
	assert_true(c.seg[1].device_writes);
	assert_int_equal(c.seg[2].addr, 0x12000);
	assert_int_equal(virtq_nfree(&q), QSIZE - 3);
	/* A device that asked not to be told is not. */
	q.ring.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	add_chain(1, 0, 10, 1);
	assert_false(virtq_publish(&q));
	/* Nothing new: nothing to tell. */
	q.ring.used->flags = 0;
	assert_false(virtq_publish(&q));
	/* Too many descriptors for what is free; none at all; no token. */
	assert_int_equal(virtq_add(&q, NULL, 0, NULL, 0, &tokens[2]), -1);
	{
		struct virtq_buf b[8] = { 0 };

		assert_int_equal(virtq_add(&q, b, 5, NULL, 0, &tokens[2]), -1);
		assert_int_equal(virtq_add(&q, b, 1, NULL, 0, NULL), -1);
	}
}

static void test_event_index_decides_notifications(void **state)
{
	(void)state;
	new_queue(true);
	/* The device wants to hear when avail idx passes 0: the first chain is news. */
	*virtq_avail_event(&q.ring) = 0;
	add_chain(1, 0, 1, 0);
	assert_true(virtq_publish(&q));
	/* It asks to hear only after entry 3: entries 1 and 2 are not. */
	*virtq_avail_event(&q.ring) = 3;
	add_chain(1, 0, 1, 1);
	assert_false(virtq_publish(&q));
	add_chain(1, 0, 1, 2);
	assert_false(virtq_publish(&q));
	add_chain(1, 0, 1, 3);
	add_chain(1, 0, 1, 4);
	assert_true(virtq_publish(&q)); /* 3 and 4 at once: 3 is among them */
}

static void test_used_chains_come_back_with_their_tokens(void **state)
{
	void *token;
	uint32_t len;
	char err[200];

	(void)state;
	new_queue(true);
	add_chain(1, 1, 64, 0);
	add_chain(1, 0, 64, 1);
	virtq_publish(&q);
	assert_int_equal(virtq_get(&q, &token, &len, err, sizeof(err)), 0);
	/* Finding none asked for an interrupt at the next used entry. */
	assert_int_equal(*virtq_used_event(&q.ring), 0);
	device_uses(2, 0);
	device_uses(0, 40);
	assert_int_equal(virtq_get(&q, &token, &len, err, sizeof(err)), 1);
	assert_ptr_equal(token, &tokens[1]);
	assert_int_equal(virtq_get(&q, &token, &len, err, sizeof(err)), 1);
	assert_ptr_equal(token, &tokens[0]);
	assert_int_equal(len, 40);
	assert_int_equal(virtq_get(&q, &token, &len, err, sizeof(err)), 0);
	assert_int_equal(*virtq_used_event(&q.ring), 2);
	assert_int_equal(virtq_nfree(&q), QSIZE);
	assert_int_equal(virtq_in_flight(&q), 0);
}

/* The device uses a chain just as the driver, having found none, asks for an interrupt. */
static void uses_chain_0_now(void)
{
	fake.dma_mb_hook = NULL;
	device_uses(0, 0);
}

static void test_a_chain_used_while_asking_for_interrupts_is_not_lost(void **state)
{
	void *token;
	uint32_t len;
	char err[200];

	(void)state;
	new_queue(true);
	add_chain(1, 0, 8, 0);
	virtq_publish(&q);
	fake.dma_mb_hook = uses_chain_0_now;
	/* No interrupt will come for it (used_event was set after): it is taken now. */
	assert_int_equal(virtq_get(&q, &token, &len, err, sizeof(err)), 1);
	assert_ptr_equal(token, &tokens[0]);
}

static void test_a_device_breaking_the_rules_is_caught(void **state)
{
	void *token;
	uint32_t len;
	char err[200];

	(void)state;
	new_queue(false);
	add_chain(1, 1, 64, 0);
	virtq_publish(&q);
	device_uses(5, 0);
	assert_int_equal(virtq_get(&q, &token, &len, err, sizeof(err)), -1);
	expect_err(err, "used entry 0 names descriptor 5, which is not in flight");

	new_queue(false);
	add_chain(1, 1, 64, 0);
	virtq_publish(&q);
	device_uses(0, 65);
	assert_int_equal(virtq_get(&q, &token, &len, err, sizeof(err)), -1);
	expect_err(err, "used entry 0 says 65 bytes were written into descriptor 0's chain of 64 "
			"writable bytes");

	new_queue(false);
	add_chain(1, 0, 64, 0);
	virtq_publish(&q);
	q.ring.used->idx = 5;
	assert_int_equal(virtq_get(&q, &token, &len, err, sizeof(err)), -1);
	expect_err(err, "the used index moved 5 entries past 0, with 1 chains in flight");

	/* A descriptor table changed under the driver: the chain is longer than it was. */
	new_queue(false);
	add_chain(1, 1, 64, 0);
	virtq_publish(&q);
	q.ring.desc[1].flags |= VIRTQ_DESC_F_NEXT;
	q.ring.desc[1].next = 2;
	q.ring.desc[2].flags = VIRTQ_DESC_F_WRITE;
	device_uses(0, 0);
	assert_int_equal(virtq_get(&q, &token, &len, err, sizeof(err)), -1);
	expect_err(err, "the chain at 0 has 3 descriptors, 2 were given");
}

static void test_the_chain_walker_refuses_bad_chains(void **state)
{
	struct virtq_chain c;
	char err[200];

	(void)state;
	new_queue(false);
	assert_int_equal(virtq_chain_read(&q.ring, QSIZE, &c, err, sizeof(err)), -1);
	expect_err(err, "chain head 8 is beyond the queue's 8 descriptors");
	/* A loop. */
	q.ring.desc[0] = (struct virtq_desc){ 0x1000, 1, VIRTQ_DESC_F_NEXT, 1 };
	q.ring.desc[1] = (struct virtq_desc){ 0x2000, 1, VIRTQ_DESC_F_NEXT, 0 };
	assert_int_equal(virtq_chain_read(&q.ring, 0, &c, err, sizeof(err)), -1);
	expect_err(err, "the chain at 0 is longer than 16 descriptors (or loops)");
	/* A next beyond the table. */
	q.ring.desc[1].next = 200;
	assert_int_equal(virtq_chain_read(&q.ring, 0, &c, err, sizeof(err)), -1);
	expect_err(err, "descriptor 1: next 200 is beyond the queue's 8");
	/* Readable after writable (2.7.4.2). */
	q.ring.desc[0].flags = VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE;
	q.ring.desc[1] = (struct virtq_desc){ 0x2000, 1, 0, 0 };
	assert_int_equal(virtq_chain_read(&q.ring, 0, &c, err, sizeof(err)), -1);
	expect_err(err, "descriptor 1 is device-readable after a device-writable one in the chain "
			"at 0");
	/* Indirect, which neither side negotiates. */
	q.ring.desc[3] = (struct virtq_desc){ 0x3000, 16, VIRTQ_DESC_F_INDIRECT, 0 };
	assert_int_equal(virtq_chain_read(&q.ring, 3, &c, err, sizeof(err)), -1);
	expect_err(err, "descriptor 3 is indirect (not negotiated)");
}

/* ---- the virtio-net driver ---- */

void *mem_alloc(uint64_t size, uint64_t align)
{
	void *p = aligned_alloc(align, (size + align - 1) & ~(align - 1));

	assert_non_null(p);
	memset(p, 0, size);
	return p;
}

static struct vnet *net;

static int net_setup(void **state)
{
	(void)state;
	new_device(VIRTIO_ID_NET);
	dev.offered |= VIRTIO_FEATURE(VIRTIO_NET_F_MTU) | VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX);
	memcpy(dev.config, "\x52\x54\x00\x5b\x00\x01", 6);
	dev.config[10] = 0xdc; /* MTU 1500, little-endian */
	dev.config[11] = 0x05;
	net = calloc(1, sizeof(*net));
	return 0;
}

static int net_teardown(void **state)
{
	(void)state;
	free(net->rx.ring.desc);
	free(net->tx.ring.desc);
	free(net->rx_bufs);
	free(net->tx_bufs);
	free(net);
	return 0;
}

static void bring_up(void)
{
	struct virtio_mmio m = probe_ok();
	char err[200];

	if (vnet_init(net, &m, true, err, sizeof(err)))
		fail_msg("%s", err);
}

/* The device takes receive buffer @slot of the available ring and writes @len bytes. */
static void device_receives(unsigned int slot, const void *frame, uint32_t len)
{
	struct virtq_ring *r = &net->rx.ring;
	uint16_t head = r->avail->ring[slot % r->size];
	uint8_t *buf = (uint8_t *)(uintptr_t)r->desc[head].addr;
	struct virtq_used_elem *e = &r->used->ring[r->used->idx % r->size];

	assert_true(r->desc[head].flags & VIRTQ_DESC_F_WRITE);
	assert_true(len <= r->desc[head].len);
	memcpy(buf, frame, len);
	e->id = head;
	e->len = len;
	r->used->idx++;
}

static void test_net_comes_up_with_its_receive_buffers_given(void **state)
{
	(void)state;
	bring_up();
	assert_int_equal(net->mtu, 1500);
	assert_memory_equal(net->mac, "\x52\x54\x00\x5b\x00\x01", 6);
	assert_int_equal(vnet_max_frame(net), 1514);
	assert_true(dev.status & VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(dev.q[0].ready, 1);
	assert_int_equal(dev.q[1].ready, 1);
	assert_int_equal(dev.q[0].desc, (uint64_t)(uintptr_t)net->rx.ring.desc);
	assert_int_equal(dev.q[0].device, (uint64_t)(uintptr_t)net->rx.ring.used);
	/* Every receive buffer is the device's, and it was told. */
	assert_int_equal(net->rx.ring.avail->idx, virtq_in_flight(&net->rx));
	assert_true(virtq_in_flight(&net->rx) >= 16);
	assert_int_equal(dev.nnotify, 1);
	assert_int_equal(dev.notified[0], 0);
}

static void test_net_receives_and_sends_frames(void **state)
{
	uint8_t frame[VNET_HDR_LEN + 60] = { 0 };
	const uint8_t *got;
	uint8_t *b;
	size_t len, cap;
	uint16_t posted;

	(void)state;
	bring_up();
	posted = net->rx.ring.avail->idx;
	memset(frame + VNET_HDR_LEN, 0xab, 60);
	device_receives(0, frame, sizeof(frame));
	got = vnet_rx_peek(net, &len);
	assert_non_null(got);
	assert_int_equal(len, 60);
	assert_int_equal(got[0], 0xab);
	assert_ptr_equal(vnet_rx_peek(net, &len), got); /* the same until released */
	vnet_rx_release(net);
	assert_null(vnet_rx_peek(net, &len));
	assert_int_equal(vnet_service(net), 0);
	assert_int_equal((uint16_t)(net->rx.ring.avail->idx - posted), 1); /* given back */
	/* Sending: a buffer, a frame in it, the device told. */
	b = vnet_tx_buffer(net, &cap);
	assert_non_null(b);
	assert_int_equal(cap, 1514);
	memset(b, 0x5a, 100);
	vnet_tx_commit(net, 100);
	dev.nnotify = 0;
	assert_int_equal(vnet_service(net), 0);
	assert_int_equal(net->tx.ring.avail->idx, 1);
	assert_int_equal(net->tx.ring.desc[net->tx.ring.avail->ring[0]].len, VNET_HDR_LEN + 100);
	assert_int_equal(dev.nnotify, 1);
	assert_int_equal(dev.notified[0], 1);
	assert_int_equal(net->stats.tx_frames, 1);
	assert_int_equal(net->stats.rx_frames, 1);
}

static void test_net_stops_at_a_frame_shorter_than_its_header(void **state)
{
	uint8_t frame[5] = { 0 };
	size_t len;

	(void)state;
	bring_up();
	device_receives(0, frame, sizeof(frame));
	assert_null(vnet_rx_peek(net, &len));
	assert_true(net->broken);
	expect_err(net->why, "received a frame of 5 bytes, less than its header");
	assert_int_equal(vnet_service(net), -1);
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
	assert_null(vnet_tx_buffer(net, &len));
}

static void test_net_refuses_an_mtu_below_the_minimum(void **state)
{
	struct virtio_mmio m;
	char err[200];

	(void)state;
	dev.config[10] = 50;
	dev.config[11] = 0;
	m = probe_ok();
	assert_int_equal(vnet_init(net, &m, true, err, sizeof(err)), -1);
	expect_err(err, "MTU 50 is below the minimum 68");
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_the_handshake_goes_in_the_specifications_order),
		cmocka_unit_test(test_platform_features_are_taken_when_offered),
		cmocka_unit_test(test_negotiation_failures),
		cmocka_unit_test(test_queue_sizes),
		cmocka_unit_test(test_config_is_read_again_while_its_generation_moves),
		cmocka_unit_test(test_chains_as_the_device_sees_them),
		cmocka_unit_test(test_event_index_decides_notifications),
		cmocka_unit_test(test_used_chains_come_back_with_their_tokens),
		cmocka_unit_test(test_a_chain_used_while_asking_for_interrupts_is_not_lost),
		cmocka_unit_test(test_a_device_breaking_the_rules_is_caught),
		cmocka_unit_test(test_the_chain_walker_refuses_bad_chains),
		cmocka_unit_test_setup_teardown(test_net_comes_up_with_its_receive_buffers_given,
						net_setup, net_teardown),
		cmocka_unit_test_setup_teardown(test_net_receives_and_sends_frames, net_setup,
						net_teardown),
		cmocka_unit_test_setup_teardown(test_net_stops_at_a_frame_shorter_than_its_header,
						net_setup, net_teardown),
		cmocka_unit_test_setup_teardown(test_net_refuses_an_mtu_below_the_minimum,
						net_setup, net_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
