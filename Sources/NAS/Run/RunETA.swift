/// The time left in a whole run, for a progress line whose own ETA covers one epoch: a 40-epoch
/// training shows when it ends, not only when its current epoch does.
///
/// The epoch's rest goes at the current rate. The epochs after it take the mean length of the
/// whole epochs this process has timed (training, test pass and checkpoint), and the current
/// epoch gets that mean's part beyond training; before the first whole epoch, every epoch is
/// estimated by its training part alone.
struct RunETA {
    /// Wall seconds of each whole epoch this process ran, and of its training part.
    private var whole: [Double] = []
    private var training: [Double] = []

    /// Records an epoch this process ran from its first step to its checkpoint.
    mutating func epochDidEnd(seconds: Double, trainingSeconds: Double) {
        whole.append(seconds)
        training.append(trainingSeconds)
    }

    /// Seconds until the run ends, or nil without a rate yet. `images` of the epoch's `total`
    /// are done; `counted` of them took `elapsed` seconds in this process; `epochsAfter` follow.
    func secondsLeft(images: Int, total: Int, counted: Int, elapsed: Double, epochsAfter: Int) -> Double? {
        guard counted > 0, elapsed > 0 else { return nil }
        let perImage = elapsed / Double(counted)
        let trainingEpoch = perImage * Double(total)
        let epoch = whole.isEmpty ? trainingEpoch : whole.reduce(0, +) / Double(whole.count)
        let overhead = whole.isEmpty ? 0 : max(0, epoch - training.reduce(0, +) / Double(training.count))
        return perImage * Double(max(total - images, 0)) + overhead + Double(epochsAfter) * epoch
    }
}
