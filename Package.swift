// swift-tools-version: 6.0
import PackageDescription

// Layers, lowest first: Reporting (Foundation only: files a run writes, JSON, metrics and logs,
// charts, TensorBoard, Markdown/HTML, progress) -> CTorch (C shim over libtorch) -> Torch (Swift
// tensors, autograd, nn, optim) -> Datasets -> NAS (search space, cells, the run loop, search,
// training, evaluation, genotypes) -> entrannas (CLI). Torch uses Reporting's AtomicFile only.
// Which libtorch (Debian's, the PyPI wheel's, its CUDA build) comes from pkg-config's libtorch.pc,
// chosen by ENTRANNAS_TORCH in scripts/torch-backend.sh (docs/building.md#backends).
let package = Package(
    name: "entrannas",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "entrannas", targets: ["entrannas"]),
        .library(name: "Reporting", targets: ["Reporting"]),
        .library(name: "Torch", targets: ["Torch"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "NAS", targets: ["NAS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target NAS` (DocC) builds the API docs.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // libtorch's include and library folders come from pkg-config (libtorch.pc), so no
        // unsafeFlags: other packages can depend on this one. Debian's libtorch needs none.
        .systemLibrary(name: "CLibTorch", pkgConfig: "libtorch", providers: [.apt(["libtorch-dev"])]),
        // The libraries themselves come from libtorch.pc too (Debian: -ltorch_cpu -lc10; the
        // wheel: its own copies under names Debian's cannot shadow), never from a fixed name here.
        .target(name: "CTorch", dependencies: ["CLibTorch"]),
        .target(name: "Reporting"),
        .target(name: "Torch", dependencies: ["CTorch", "CZlib", "Reporting"]),
        // zlib from the system (Debian: zlib1g-dev) for the gzipped IDX files of Fashion-MNIST.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // JPEG and PNG from the system for ImageFolder datasets, found through pkg-config:
        // libjpeg-turbo's classic API (libjpeg62-turbo-dev) and libpng16's simplified API
        // (libpng-dev). libjpeg reports errors by longjmp, which Swift cannot catch, so both sit
        // behind the small C target CImageCodecs that returns each failure as a message.
        .systemLibrary(name: "CLibJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .target(
            name: "CImageCodecs",
            dependencies: ["CLibJPEG", "CLibPNG"],
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16")]
        ),
        .target(name: "Datasets", dependencies: ["Torch", "CZlib", "CImageCodecs"]),
        .target(name: "NAS", dependencies: ["Reporting", "Torch", "Datasets"]),
        .executableTarget(
            name: "entrannas",
            dependencies: [
                "NAS", "Datasets", "Torch", "Reporting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A synthetic ImageFolder dataset of JPEG and PNG stripes: scripts/make-image-folder.sh.
        .executableTarget(
            name: "make-image-folder",
            dependencies: ["Datasets", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Loader throughput in images/s: `swift run -c release loader-bench`.
        // Flag parsing and output shared by the benchmark executables.
        .target(name: "BenchmarkSupport", path: "benchmarks/Support"),
        .executableTarget(name: "loader-bench", dependencies: ["Datasets", "Torch", "BenchmarkSupport"], path: "benchmarks/LoaderBenchmark"),
        // Image-folder loading (decode + ImageNet augmentation) in images/s: benchmarks/image-folder.sh.
        .executableTarget(name: "image-folder-bench", dependencies: ["Datasets", "BenchmarkSupport"], path: "benchmarks/ImageFolderBenchmark"),
        // Conv forward+backward from Swift against Python on the same libtorch: benchmarks/conv-bench.sh.
        .executableTarget(name: "torch-bench", dependencies: ["Torch", "BenchmarkSupport"], path: "benchmarks/TorchBench"),
        // DARTS_V2 training step from Swift against PyTorch on the same libtorch: benchmarks/train-bench/run.sh.
        .executableTarget(name: "train-bench", dependencies: ["NAS", "Torch", "BenchmarkSupport"], path: "benchmarks/train-bench/TrainBench"),
        // Search step time and peak memory per method: benchmarks/search-bench.sh.
        .executableTarget(name: "search-bench", dependencies: ["NAS", "Torch", "BenchmarkSupport"], path: "benchmarks/SearchBench"),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
        .testTarget(name: "TorchTests", dependencies: ["Torch", "Reporting"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Torch"]),
        .testTarget(name: "NASTests", dependencies: ["NAS", "Reporting", "Datasets", "Torch"]),
        // Runs the built `entrannas` binary as a user does (launch, several processes).
        .testTarget(name: "CommandTests", dependencies: ["Torch"]),
    ],
    cxxLanguageStandard: .cxx17
)
