/// AlexNet's PCA lighting noise (Krizhevsky et al. 2012; as fb.resnet.torch and the ImageNet
/// recipes after it apply it): each image's RGB values shift by `eigenvectors * (alpha *
/// eigenvalues)` with alpha ~ N(0, std) per component, on the 0...1 scale after conversion and
/// before normalisation, unclipped. Grey images are left alone (the components are RGB's).
public enum Lighting {
    /// ImageNet's RGB eigenvalues (fb.resnet.torch).
    public static let eigenvalues: [Double] = [0.2175, 0.0188, 0.0045]
    /// ImageNet's RGB eigenvectors, one per column (fb.resnet.torch).
    public static let eigenvectors: [[Double]] = [
        [-0.5675, 0.7192, 0.4009],
        [-0.5808, -0.0045, -0.8140],
        [-0.5836, -0.6948, 0.4203],
    ]

    /// The shift of R, G and B for one image: three normal draws scaled by `std`.
    public static func offsets(std: Double, random: inout Xoshiro256) -> [Float] {
        let alpha = (0..<3).map { _ in random.normal() * std }
        return (0..<3).map { row in
            Float((0..<3).reduce(0.0) { $0 + eigenvectors[row][$1] * alpha[$1] * eigenvalues[$1] })
        }
    }
}
