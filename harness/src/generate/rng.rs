//! The byte source behind seeded generation: SplitMix64, one independent stream per
//! `(seed, index)`.
//!
//! Why SplitMix64 and not a crate: a printed seed must replay the same probes on every
//! platform and forever, so the generator's output may depend on nothing but this file. The
//! algorithm (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA
//! 2014; the seeder of `xoshiro`) is a few lines with fixed constants, passes BigCrush, and
//! is written out here, bytes taken little-endian, so no dependency upgrade (`rand`'s
//! algorithms are allowed to change between versions) and no endianness can change it. The
//! streams only need to be well mixed, not unpredictable.
//!
//! The bytes are interpreted by [`arbitrary::Unstructured`]; how `Unstructured` maps bytes to
//! choices is pinned by `Cargo.lock` and guarded by the golden test in
//! `harness/tests/generate.rs` (an `arbitrary` upgrade that changed it would fail that test).

/// Bytes drawn per generated request. A request consumes well under 200 (every choice reads
/// at most two bytes); once they run out, `Unstructured` answers every choice with its first
/// option, which is still a valid request.
pub(crate) const BYTES_PER_PROBE: usize = 512;

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 output function (a bijective 64-bit mixer).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// SplitMix64.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix(self.0)
    }
}

/// The bytes for probe `index` of the run seeded with `seed`. The stream's starting state is a
/// hash of both (not `seed + index`: SplitMix64 streams seeded one gamma apart are the same
/// stream shifted by one word), so probe `i` depends only on `(seed, i)`.
pub(crate) fn probe_bytes(seed: u64, index: u64) -> [u8; BYTES_PER_PROBE] {
    probe_bytes_prefix(seed, index)
}

/// The first `N` bytes of [`probe_bytes`] (the stream is sequential: a prefix is the same
/// bytes), for the common request that needs few of them.
pub(crate) fn probe_bytes_prefix<const N: usize>(seed: u64, index: u64) -> [u8; N] {
    let mut rng = SplitMix64(mix(seed ^ mix(index.wrapping_add(GOLDEN_GAMMA))));
    let mut out = [0u8; N];
    for chunk in out.chunks_exact_mut(8) {
        chunk.copy_from_slice(&rng.next().to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // The first outputs for state 0, as published with the algorithm (and in every port).
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(rng.next(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn streams_differ_by_seed_and_index() {
        assert_eq!(probe_bytes(7, 3), probe_bytes(7, 3));
        assert_ne!(probe_bytes(7, 3), probe_bytes(7, 4));
        assert_ne!(probe_bytes(7, 3), probe_bytes(8, 3));
        // Neighbouring indexes are not shifted copies of each other.
        assert_ne!(probe_bytes(7, 3)[8..16], probe_bytes(7, 4)[0..8]);
        assert_eq!(probe_bytes_prefix::<128>(7, 3)[..], probe_bytes(7, 3)[..128]);
    }
}
