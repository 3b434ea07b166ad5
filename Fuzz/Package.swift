// swift-tools-version: 6.0
import PackageDescription

// Fuzz targets for every reader of outside bytes (docs/building.md#fuzzing): each executable is
// one libFuzzer target, built with -sanitize=fuzzer (and address) by scripts/fuzz.sh, which
// also compiles this package's dependency, entrannas itself, with coverage instrumentation.
let package = Package(
    name: "Fuzz",
    dependencies: [.package(name: "entrannas", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzGenotypeText", dependencies: ["FuzzSupport", .product(name: "NAS", package: "entrannas")]),
        .executableTarget(name: "FuzzGenotypeJSON", dependencies: ["FuzzSupport", .product(name: "NAS", package: "entrannas")]),
        .executableTarget(name: "FuzzIDX", dependencies: ["FuzzSupport", .product(name: "Datasets", package: "entrannas")]),
        .executableTarget(name: "FuzzCIFAR", dependencies: ["FuzzSupport", .product(name: "Datasets", package: "entrannas")]),
        .executableTarget(name: "FuzzSafetensors", dependencies: ["FuzzSupport", .product(name: "Torch", package: "entrannas")]),
        .executableTarget(name: "FuzzImage", dependencies: ["FuzzSupport", .product(name: "Datasets", package: "entrannas")]),
        .executableTarget(name: "FuzzCheckpoint", dependencies: ["FuzzSupport", .product(name: "NAS", package: "entrannas")]),
        .executableTarget(name: "FuzzExperimentFolder", dependencies: ["FuzzSupport", .product(name: "NAS", package: "entrannas")]),
        .executableTarget(name: "FuzzRunFolder", dependencies: ["FuzzSupport", .product(name: "NAS", package: "entrannas")]),
        .executableTarget(name: "FuzzTensorBoardEvents", dependencies: ["FuzzSupport", .product(name: "Reporting", package: "entrannas")]),
    ]
)
