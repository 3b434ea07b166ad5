// swift-tools-version: 6.0
import PackageDescription

// A package that uses entrannas as a dependency, the way another project would: it proves that
// Torch, Datasets and NAS build as a dependency (no unsafeFlags) and that the public API is
// enough to train a network and run a search. CI builds and runs it (scripts/test.sh).
let package = Package(
    name: "TinySearch",
    dependencies: [
        .package(name: "entrannas", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "TinySearch",
            dependencies: [
                .product(name: "Torch", package: "entrannas"),
                .product(name: "Datasets", package: "entrannas"),
                .product(name: "NAS", package: "entrannas"),
            ]
        ),
    ]
)
