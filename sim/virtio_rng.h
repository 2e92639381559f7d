/* virtio-rng (virtio 1.1, 5.4 "Entropy Device"): one request queue whose
 * device-writable buffers the device fills with bytes from a deterministic
 * generator, so that a run with the same seed sees the same "random" bytes.
 *
 * The generator: xoshiro256** (D. Blackman and S. Vigna, "Scrambled linear
 * pseudorandom number generators", 2018), its 256-bit state set from the seed
 * by four successive outputs of SplitMix64 (the seeding its authors
 * recommend). Each 64-bit output gives 8 bytes, least significant first; the
 * stream runs on across requests, device resets and system resets (a reset
 * never replays bytes). It is NOT a cryptographic source: a guest must not
 * use these bytes for keys. */
#ifndef AVSIM_SIM_VIRTIO_RNG_H
#define AVSIM_SIM_VIRTIO_RNG_H
#include <stdint.h>
#include "sim/virtio_mmio.h"

#define VIRTIO_ID_ENTROPY 4

struct virtio_dev *virtio_rng_create(uint64_t seed);   /* NULL: out of memory */

#endif
