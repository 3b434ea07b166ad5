import Foundation

/// SplitMix64 (Steele, Lea and Flood 2014): one UInt64 of state, used to seed `Xoshiro256`
/// and to derive independent streams from (seed, epoch, image) keys.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    public var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 output function: a bijective avalanche of 64 bits.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A well-spread 64-bit key for an ordered tuple of integers, e.g. (seed, epoch, index).
    public static func key(_ parts: UInt64...) -> UInt64 {
        var key: UInt64 = 0x6A09_E667_F3BC_C909
        for part in parts { key = mix(key ^ mix(part &+ 0x9E37_79B9_7F4A_7C15)) }
        return key
    }
}

/// xoshiro256** (Blackman and Vigna 2018): the loader's generator. Small, fast, and its whole
/// state is four UInt64s, so a checkpoint can save it and a resumed run continues the stream.
/// Its draws are defined here, not by the standard library, so a seed gives the same numbers
/// on every platform and Swift version.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Seeds the four state words from SplitMix64, as the authors recommend.
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// Restores a generator from `state` as saved; four words, not all zero.
    public init(state: [UInt64]) throws {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else {
            throw DatasetError.invalidArgument("a xoshiro256 state is four UInt64s, not all zero; got \(state)")
        }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// The whole state, to save in a checkpoint and restore with `init(state:)`.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let shifted = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= shifted
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, no modulo bias).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform Float in [0, 1) from the top 24 bits.
    public mutating func unitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform Double in [0, 1) from the top 53 bits, for draws such as a crop's area and
    /// aspect ratio, where a Float's 24 bits would be coarse.
    public mutating func unitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A uniform Double in `range` (`lower + (upper - lower) u`, torch's `uniform_`).
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unitDouble()
    }

    /// A standard normal draw (Box-Muller, two uniforms per draw, none kept over).
    public mutating func normal() -> Double {
        let radius = (-2 * log(1 - unitDouble())).squareRoot()
        return radius * cos(2 * Double.pi * unitDouble())
    }

    /// Fisher-Yates shuffle driven by `below(_:)`, so the order depends only on the seed.
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, below(i + 1))
        }
    }

    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
