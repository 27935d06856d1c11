import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

// The node process that `ensemble start` launches: a lean binary with the
// runtime and the encoder app, and no command-line parser or Foundation.
do {
    let arguments = try NodeArguments(parsing: Array(CommandLine.arguments.dropFirst()))
    exit(await ForegroundNode.run(arguments))
} catch {
    printErrorLine("ensemble-node: \(error)")
    exit(2)
}
