// swift-tools-version:6.2
import PackageDescription

/// One section per function in release builds, so that ensemble-node's linker can lay out the
/// functions a node runs side by side (Link/ensemble-node.order; docs/decisions.md, "Code laid
/// out by use"). The Swift runtime's static libraries come built this way; the dependencies'
/// modules get sections from deploy/setup.sh, which passes the flag to every module (a package's
/// settings reach only its own targets). Not in a tagged checkout: SwiftPM refuses a library
/// with unsafe flags as a dependency by version.
let functionSections: [SwiftSetting] =
    Context.gitInformation?.currentTag == nil
    ? [.unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release))] : []

let package = Package(
    name: "ensemble",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Ensemble", targets: ["Ensemble"]),
        .library(name: "EncoderApp", targets: ["EncoderApp"]),
        .executable(name: "ensemble", targets: ["ensemble"]),
        .executable(name: "ensemble-node", targets: ["ensemble-node"]),
        .executable(name: "ensemble-example-greeter", targets: ["ensemble-example-greeter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // No traits: the default ones import all of Foundation, which the node does not link.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0", traits: []),
        // The dashboard's HTTP server. No traits: swift-configuration and all of Foundation are not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // No pkgConfig: zmq.h is in /usr/include and libzmq (libzmq.so for the CLI, debug
        // builds and tests; libzmq.a for the release ensemble-node, below) in the default
        // library path (libzmq3-dev).
        .systemLibrary(name: "CZMQ", path: "CZMQ"),
        .target(name: "ZMQ", dependencies: ["CZMQ"], swiftSettings: functionSections),
        // The floors `ensemble bench` compares its figures with: the same work on libzmq
        // alone, in C (Sources/CZMQFloor). Only the ensemble command links it.
        .target(name: "CZMQFloor", dependencies: ["CZMQ"]),
        .target(
            name: "Ensemble",
            dependencies: [
                "ZMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: functionSections
        ),
        .target(
            name: "EncoderApp",
            dependencies: ["Ensemble", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: functionSections
        ),
        .target(
            name: "NodeLauncher",
            dependencies: ["Ensemble", "EncoderApp", .product(name: "Logging", package: "swift-log")],
            swiftSettings: functionSections
        ),
        // What libzmq.a calls in GSSAPI, OpenPGM and NORM, for the release ensemble-node
        // (below); empty in debug builds, which link libzmq.so. Sources/ZMQUnusedDeps/stubs.c.
        .target(
            name: "ZMQUnusedDeps",
            cSettings: [.define("ENSEMBLE_STATIC_LIBZMQ", .when(platforms: [.linux], configuration: .release))]
        ),
        // The node process: no argument parser, and of Foundation only the
        // FoundationEssentials that SwiftProtobuf imports; the Swift runtime
        // linked in, so a node maps only the parts of it that it uses.
        // Statically linked as a whole (`-static-executable`, glibc too): the shared libc,
        // libm and dynamic linker held about 2.3 MB resident in every node, the parts of them a
        // node calls about 1.3 MB once linked in. Not position-independent, so no relocations
        // to read or pages to write at start; no dynamic symbol table. docs/decisions.md
        // ("The release node is one static executable") and docs/performance.md have the figures.
        // With `-static` the linker takes only static libraries, so CZMQ's `-lzmq` links
        // libzmq.a (libzmq3-dev), not libzmq.so.5 with the Kerberos libraries, OpenPGM and NORM
        // it loads for the GSSAPI mechanism and the pgm/epgm/norm transports, which Ensemble
        // never uses; ZMQUnusedDeps stands in for those. libsodium, libbsd and libmd are what
        // libzmq.a needs beyond the Swift runtime's libraries (libzmq3-dev depends on their
        // -dev packages); `-static` also takes libstdc++.a and libgcc's unwinder.
        .executableTarget(
            name: "ensemble-node",
            dependencies: ["Ensemble", "NodeLauncher", "ZMQ", "ZMQUnusedDeps"],
            swiftSettings: functionSections,
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-static-executable",
                        // FoundationEssentials (which SwiftProtobuf imports) needs these two linked
                        // statically as well.
                        "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims",
                        "-Xlinker", "-lsodium", "-Xlinker", "-lbsd", "-Xlinker", "-lmd",
                        // The functions a node runs, side by side (deploy/function-order.sh).
                        "-Xlinker", "--section-ordering-file=\(Context.packageDirectory)/Link/ensemble-node.order",
                    ],
                    .when(configuration: .release))
            ]
        ),
        // `ensemble dashboard`'s web server: the page, server-sent events, /metrics and
        // /api/status. It knows nothing of ZeroMQ: the command hands it a source of documents
        // and pushes events into its feed. Only the ensemble command links it, never a node.
        .target(
            name: "EnsembleDashboard",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "ensemble",
            dependencies: [
                "Ensemble",
                "EnsembleDashboard",
                "CZMQFloor",
                "EncoderApp",
                "NodeLauncher",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A node binary of one's own, as README's "Your own actors and node binary" has it:
        // the Ensemble library only, and a main of one line. CLITests run it with
        // `ensemble start --node-binary` (NodeBinaryTests).
        .executableTarget(name: "ensemble-example-greeter", dependencies: ["Ensemble"], path: "Examples/GreeterNode"),
        .target(name: "TestSupport", dependencies: ["Ensemble", "NodeLauncher"], path: "Tests/TestSupport"),
        .testTarget(
            name: "EnsembleTests",
            dependencies: [
                "Ensemble", "ZMQ", "EncoderApp", "NodeLauncher", "TestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(name: "CLITests", dependencies: ["Ensemble", "ZMQ", "CZMQFloor", "TestSupport"]),
        .testTarget(name: "DashboardTests", dependencies: ["EnsembleDashboard", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
