/// Every rank's machine, gathered with the one collective a data-parallel run has for numbers (a
/// sum over ranks): rank r writes its description's bytes into slot r of a zero vector, and the
/// sum holds every rank's bytes in its own slot. Its run's CPU time is summed over the ranks, so
/// its record of machines must name every rank's, not rank 0's alone.
extension MachineDescription {
    /// Bytes per rank; a description longer than this is cut (they run to about 60).
    public static let slotBytes = 256

    /// The vector rank `rank` of `worldSize` contributes to the sum.
    public static func slots(_ description: String, rank: Int, worldSize: Int) -> [Double] {
        var out = [Double](repeating: 0, count: slotBytes * max(worldSize, 1))
        guard (0..<worldSize).contains(rank) else { return out }
        for (i, byte) in description.utf8.prefix(slotBytes).enumerated() where byte != 0 {
            out[rank * slotBytes + i] = Double(byte)
        }
        return out
    }

    /// Each rank's description from the summed vector, in rank order. A slot that does not hold
    /// bytes (a value outside 1-255 or not whole, as no sum of one rank's bytes and zeros gives)
    /// ends at that value.
    public static func descriptions(summed: [Double], worldSize: Int) -> [String] {
        (0..<max(worldSize, 0)).map { rank in
            let start = min(rank * slotBytes, summed.count), end = min(start + slotBytes, summed.count)
            let bytes = summed[start..<end].prefix { $0 >= 1 && $0 <= 255 && $0.rounded() == $0 }.map { UInt8($0) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
