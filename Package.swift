// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "ensemble",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Ensemble", targets: ["Ensemble"]),
        .library(name: "EncoderApp", targets: ["EncoderApp"]),
        .executable(name: "ensemble", targets: ["ensemble"]),
        .executable(name: "ensemble-node", targets: ["ensemble-node"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CZMQ",
            path: "CZMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "ZMQ", dependencies: ["CZMQ"]),
        .target(
            name: "Ensemble",
            dependencies: [
                "ZMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(name: "EncoderApp", dependencies: ["Ensemble"]),
        .target(
            name: "NodeLauncher",
            dependencies: ["Ensemble", "EncoderApp", .product(name: "Logging", package: "swift-log")]
        ),
        // The node process: no argument parser, hence no Foundation; the Swift
        // runtime linked in, so a node maps only the parts of it that it uses.
        // Not position-independent: its 33k relative relocations (780 kB read
        // at every start, plus the pages they write) go away. No symbol table
        // exported for dlsym (which nothing does): the runtime's link arguments
        // ask for one (570 kB), and the dynamic linker read through it.
        // docs/performance.md and docs/decisions.md have the figures.
        .executableTarget(
            name: "ensemble-node",
            dependencies: ["NodeLauncher", "ZMQ"],
            linkerSettings: [
                .unsafeFlags(
                    ["-static-stdlib", "-Xclang-linker", "-no-pie", "-Xlinker", "--no-export-dynamic"],
                    .when(configuration: .release))
            ]
        ),
        .executableTarget(
            name: "ensemble",
            dependencies: [
                "Ensemble",
                "EncoderApp",
                "NodeLauncher",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["NodeLauncher"], path: "Tests/TestSupport"),
        .testTarget(name: "EnsembleTests", dependencies: ["Ensemble", "ZMQ", "EncoderApp", "NodeLauncher", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["Ensemble", "ZMQ", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
