// swift-tools-version:6.2
import PackageDescription

// The wire fuzzer: a package of its own, so that `-sanitize=fuzzer` never touches
// the main package's build. Build and run it with `deploy/fuzz.sh`.

// A path dependency is known by its directory's name, which differs between clones and
// worktrees of the main package.
let root = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "ensemble"

let package = Package(
    name: "ensemble-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "LibFuzzerDriver"),
        .executableTarget(
            name: "WireFuzzer",
            dependencies: [
                "LibFuzzerDriver",
                .product(name: "Ensemble", package: root),
                .product(name: "EncoderApp", package: root),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
