/* virtio-rng (virtio 1.1, 5.4 "Entropy Device") with xoshiro256** seeded by
 * SplitMix64 (sim/virtio_rng.h). */
#include "sim/virtio_rng.h"
#include <stdlib.h>

struct virtio_rng {
    struct virtio_dev dev;
    uint64_t s[4];            /* xoshiro256** state */
    uint8_t left[8];          /* the unused bytes of the last output */
    unsigned nleft;
};

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* SplitMix64: one step of the state x, and its output. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* xoshiro256**: the output is scrambled from s[1], then the state advances
 * by the linear engine's xor/shift/rotate steps. */
static uint64_t xoshiro_next(uint64_t s[4])
{
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static void fill(struct virtio_rng *r, uint8_t *buf, size_t len)
{
    while (len) {
        if (!r->nleft) {
            uint64_t v = xoshiro_next(r->s);
            for (unsigned i = 0; i < 8; i++)
                r->left[i] = (uint8_t)(v >> (8 * i));
            r->nleft = 8;
        }
        *buf++ = r->left[8 - r->nleft--];
        len--;
    }
}

/* 5.4.6.1: "The device MUST place one or more random bytes into the buffer,
 * but it MAY use less than the entire buffer length": avsim fills all of the
 * device-writable part (its device-readable part, which a driver should not
 * have, is ignored). */
static int64_t rng_process(struct virtio_dev *d, unsigned q, const struct virtio_chain *c)
{
    struct virtio_rng *r = (struct virtio_rng *)d;
    uint8_t buf[256];
    (void)q;
    for (uint64_t off = 0; off < c->writable;) {
        size_t n = c->writable - off < sizeof buf ? (size_t)(c->writable - off) : sizeof buf;
        fill(r, buf, n);
        if (virtio_chain_write(c, off, buf, n))
            return VIRTIO_DEV_BROKEN;
        off += n;
        d->stats.bytes_read += n;
    }
    return (int64_t)c->writable;
}

static void rng_destroy(struct virtio_dev *d)
{
    free(d);
}

static const struct virtio_dev_ops rng_ops = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_ENTROPY,
    .num_queues = 1,          /* 5.4.2: requestq */
    .process = rng_process,
    .destroy = rng_destroy,
};

struct virtio_dev *virtio_rng_create(uint64_t seed)
{
    struct virtio_rng *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    for (unsigned i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
    /* 5.4.3: no feature bits; 5.4.4: no configuration space. */
    r->dev = (struct virtio_dev){ .ops = &rng_ops };
    return &r->dev;
}
