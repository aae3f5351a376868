#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by Kafka's RecordBatch v2.
///
/// `crc` is the CRC of the bytes before `data` (0 for none); the result is the CRC of both,
/// so `crc32c_extend(crc32c_extend(0, a, n), b, m)` equals the CRC of a then b.
/// Dispatches at run time to SSE4.2 (three interleaved streams) or the portable code.
uint32_t crc32c_extend(uint32_t crc, const void *data, size_t length);

/// The portable slicing-by-8 implementation, whatever the CPU supports (tests and benchmarks).
uint32_t crc32c_extend_portable(uint32_t crc, const void *data, size_t length);

/// The SSE4.2 implementation; only valid when `crc32c_hardware_available()` is non-zero.
uint32_t crc32c_extend_hardware(uint32_t crc, const void *data, size_t length);

/// Non-zero when this CPU has the SSE4.2 CRC32 instruction and the hardware path is used.
int crc32c_hardware_available(void);

#ifdef __cplusplus
}
#endif

#endif
