// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "ensemble",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Ensemble", targets: ["Ensemble"]),
        .library(name: "EncoderApp", targets: ["EncoderApp"]),
        .executable(name: "ensemble", targets: ["ensemble"]),
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
        .executableTarget(
            name: "ensemble",
            dependencies: [
                "Ensemble",
                "EncoderApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "EnsembleTests", dependencies: ["Ensemble", "ZMQ", "EncoderApp", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["Ensemble", "ZMQ", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
