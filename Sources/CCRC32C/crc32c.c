// CRC-32C with run-time dispatch.
//
// Hardware path: the SSE4.2 crc32 instruction has a latency of three cycles and a throughput of one
// per cycle, so a single dependent chain reaches only a third of the unit's speed. We run three
// independent chains over three adjacent blocks and merge them with "shift by N zero bytes"
// operators, which are linear over GF(2) and therefore tabulated per byte of the CRC register.
//
// Portable path: slicing-by-8 tables.

#include "crc32c.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82F63B78u

// ---------------------------------------------------------------------------------------------
// Portable slicing-by-8

static uint32_t table8[8][256];

// Shift operators for the interleaved hardware path: applying `shift_long` to a raw CRC register
// value advances it over LONG_BLOCK zero bytes, `shift_short` over SHORT_BLOCK zero bytes.
#define LONG_BLOCK 8192
#define SHORT_BLOCK 256
static uint32_t shift_long[4][256];
static uint32_t shift_short[4][256];

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static int hardware_available = 0;

// Advances a raw (unconditioned) register over `count` zero bytes, one bit at a time.
static uint32_t advance_zeros_bitwise(uint32_t reg, size_t count) {
    for (size_t i = 0; i < count * 8; i++) {
        reg = (reg >> 1) ^ (POLY & (0u - (reg & 1u)));
    }
    return reg;
}

static void build_shift_table(uint32_t table[4][256], size_t zero_bytes) {
    // The operator is linear: tabulate it on the 32 single-bit registers, then combine per byte.
    uint32_t basis[32];
    for (int bit = 0; bit < 32; bit++) {
        basis[bit] = advance_zeros_bitwise(1u << bit, zero_bytes);
    }
    for (int byte_index = 0; byte_index < 4; byte_index++) {
        for (uint32_t value = 0; value < 256; value++) {
            uint32_t result = 0;
            for (int b = 0; b < 8; b++) {
                if (value & (1u << b)) result ^= basis[byte_index * 8 + b];
            }
            table[byte_index][value] = result;
        }
    }
}

static void build_tables(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (POLY & (0u - (crc & 1u)));
        table8[0][n] = crc;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = table8[0][n];
        for (int k = 1; k < 8; k++) {
            crc = table8[0][crc & 0xff] ^ (crc >> 8);
            table8[k][n] = crc;
        }
    }
    build_shift_table(shift_long, LONG_BLOCK);
    build_shift_table(shift_short, SHORT_BLOCK);
#if defined(__x86_64__)
    __builtin_cpu_init();
    hardware_available = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#endif
}

static inline void ensure_tables(void) { pthread_once(&tables_once, build_tables); }

static inline uint64_t load64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);  // unaligned-safe; compiles to one load
    return v;
}

uint32_t crc32c_extend_portable(uint32_t crc, const void *data, size_t length) {
    ensure_tables();
    const unsigned char *p = data;
    uint32_t reg = ~crc;
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        reg = table8[0][(reg ^ *p++) & 0xff] ^ (reg >> 8);
        length--;
    }
    while (length >= 8) {
        uint64_t word = load64(p) ^ reg;  // little-endian host
        reg = table8[7][word & 0xff] ^ table8[6][(word >> 8) & 0xff] ^
              table8[5][(word >> 16) & 0xff] ^ table8[4][(word >> 24) & 0xff] ^
              table8[3][(word >> 32) & 0xff] ^ table8[2][(word >> 40) & 0xff] ^
              table8[1][(word >> 48) & 0xff] ^ table8[0][word >> 56];
        p += 8;
        length -= 8;
    }
    while (length-- > 0) reg = table8[0][(reg ^ *p++) & 0xff] ^ (reg >> 8);
    return ~reg;
}

// ---------------------------------------------------------------------------------------------
// SSE4.2

#if defined(__x86_64__)
#include <nmmintrin.h>

static inline uint32_t apply_shift(uint32_t table[4][256], uint32_t reg) {
    return table[0][reg & 0xff] ^ table[1][(reg >> 8) & 0xff] ^ table[2][(reg >> 16) & 0xff] ^
           table[3][reg >> 24];
}

__attribute__((target("sse4.2")))
uint32_t crc32c_extend_hardware(uint32_t crc, const void *data, size_t length) {
    ensure_tables();
    const unsigned char *p = data;
    uint64_t reg0 = (uint32_t)~crc;
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        reg0 = _mm_crc32_u8((uint32_t)reg0, *p++);
        length--;
    }
    // Three chains over adjacent LONG_BLOCKs; merge: crc(A|B) = shift_len(B)(crc(A)) ^ crc(B).
    while (length >= 3 * LONG_BLOCK) {
        uint64_t reg1 = 0, reg2 = 0;
        const unsigned char *end = p + LONG_BLOCK;
        do {
            reg0 = _mm_crc32_u64(reg0, load64(p));
            reg1 = _mm_crc32_u64(reg1, load64(p + LONG_BLOCK));
            reg2 = _mm_crc32_u64(reg2, load64(p + 2 * LONG_BLOCK));
            p += 8;
        } while (p < end);
        reg0 = apply_shift(shift_long, (uint32_t)reg0) ^ (uint32_t)reg1;
        reg0 = apply_shift(shift_long, (uint32_t)reg0) ^ (uint32_t)reg2;
        p += 2 * LONG_BLOCK;
        length -= 3 * LONG_BLOCK;
    }
    while (length >= 3 * SHORT_BLOCK) {
        uint64_t reg1 = 0, reg2 = 0;
        const unsigned char *end = p + SHORT_BLOCK;
        do {
            reg0 = _mm_crc32_u64(reg0, load64(p));
            reg1 = _mm_crc32_u64(reg1, load64(p + SHORT_BLOCK));
            reg2 = _mm_crc32_u64(reg2, load64(p + 2 * SHORT_BLOCK));
            p += 8;
        } while (p < end);
        reg0 = apply_shift(shift_short, (uint32_t)reg0) ^ (uint32_t)reg1;
        reg0 = apply_shift(shift_short, (uint32_t)reg0) ^ (uint32_t)reg2;
        p += 2 * SHORT_BLOCK;
        length -= 3 * SHORT_BLOCK;
    }
    while (length >= 8) {
        reg0 = _mm_crc32_u64(reg0, load64(p));
        p += 8;
        length -= 8;
    }
    while (length-- > 0) reg0 = _mm_crc32_u8((uint32_t)reg0, *p++);
    return ~(uint32_t)reg0;
}

#else

uint32_t crc32c_extend_hardware(uint32_t crc, const void *data, size_t length) {
    return crc32c_extend_portable(crc, data, length);
}

#endif

int crc32c_hardware_available(void) {
    ensure_tables();
    return hardware_available;
}

uint32_t crc32c_extend(uint32_t crc, const void *data, size_t length) {
    ensure_tables();
    if (hardware_available) return crc32c_extend_hardware(crc, data, length);
    return crc32c_extend_portable(crc, data, length);
}
