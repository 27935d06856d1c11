import Foundation
import Testing

/// The walkthrough's files that no test can run here: the Prometheus scrape configuration
/// (checked by `promtool check config`, Debian's `prometheus` package, installed as root when
/// missing) and the systemd units (no systemd as PID 1: checked by `systemd-analyze verify`).
extension OperationsWalkthroughTests {
    /// The repository's root, from this file's place in it.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func thePrometheusScrapeConfigurationPassesPromtool() throws {
        let promtool = try Promtool.forTest()
        let checked = try CLIRunner.spawn(path: promtool, argv: ["promtool", "check", "config", "\(Self.repository)/deploy/prometheus.yml"])
            .wait(timeout: 60)
        #expect(checked.status == 0, "promtool check config: \(checked.stdout)\(checked.stderr)")
        #expect((checked.stdout + checked.stderr).contains("SUCCESS"), "promtool said: \(checked.stdout)\(checked.stderr)")
    }

    @Test func theSystemdUnitsVerify() throws {
        guard let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: FileManager.default.isExecutableFile) else {
            try Test.cancel("skipped: systemd-analyze is not installed (Debian package systemd), so the units cannot be verified")
        }
        // A root of their own: the units where systemd looks for them, the system's units they
        // order against, and an executable where ExecStart= names `ensemble`.
        let files = FileManager.default
        let root = files.temporaryDirectory.appendingPathComponent("ensemble-units-\(UUID().uuidString)").path
        defer { try? files.removeItem(atPath: root) }
        for directory in ["etc/systemd/system", "usr/local/bin", "usr/lib/systemd"] {
            try files.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        let copied = try CLIRunner.spawn(path: "/bin/cp", argv: ["cp", "-a", "/usr/lib/systemd/system", "\(root)/usr/lib/systemd/"]).wait(timeout: 30)
        try #require(copied.status == 0, "copying the system's units: \(copied.stderr)")
        for unit in ["ensemble@.service", "ensemble-dashboard.service"] {
            try files.copyItem(atPath: "\(Self.repository)/deploy/\(unit)", toPath: "\(root)/etc/systemd/system/\(unit)")
        }
        try files.copyItem(atPath: CLIRunner.binary, toPath: "\(root)/usr/local/bin/ensemble")
        let verified = try CLIRunner.spawn(path: analyze, argv: ["systemd-analyze", "verify", "--root=\(root)",
                                                                 "ensemble@10000.service", "ensemble-dashboard.service"]).wait(timeout: 60)
        // systemd-analyze exits 0 after warnings (an unknown key, a bad value ignored): any line counts.
        #expect(verified.status == 0 && verified.stdout.isEmpty && verified.stderr.isEmpty,
                "systemd-analyze verify (exit \(verified.status)): \(verified.stdout)\(verified.stderr)")
    }
}

/// `promtool`, Debian's `prometheus` package: installed with apt-get when missing and this
/// process is root, as the page tells an operator.
enum Promtool {
    /// Why `promtool` cannot be had.
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// Found or installed once per test run.
    static let located: Result<String, Unavailable> = locate()

    /// promtool's path, or the test cancelled saying why it cannot be installed.
    static func forTest() throws -> String {
        switch located {
        case .success(let path): return path
        case .failure(let why): try Test.cancel("skipped: \(why)")
        }
    }

    /// What `promtool check metrics` finds wrong with `exposition`, one line each, but the
    /// families' missing help text (the nodes write `# HELP` for none yet); empty when promtool
    /// is not to be had (`thePrometheusScrapeConfigurationPassesPromtool` says why).
    static func problems(in exposition: String) throws -> [String] {
        guard case .success(let promtool) = located else { return [] }
        let checked = try CLIRunner.spawn(path: promtool, argv: ["promtool", "check", "metrics"], input: exposition).wait(timeout: 30)
        let said = (checked.stdout + checked.stderr).split(separator: "\n").map(String.init)
        let problems = said.filter { !$0.hasSuffix(" no help text") }
        // 0: nothing found; 3: lint findings only (1 is a parse failure).
        guard checked.status == 0 || checked.status == 3 else { return ["exit \(checked.status)"] + problems }
        return problems
    }

    private static func find() -> String? {
        ["/usr/bin/promtool", "/usr/local/bin/promtool", "/bin/promtool"].first(where: FileManager.default.isExecutableFile)
    }

    private static func locate() -> Result<String, Unavailable> {
        if let path = find() { return .success(path) }
        guard geteuid() == 0 else {
            return .failure(Unavailable(description: "promtool is not installed and installing Debian's prometheus package needs root"))
        }
        print("operations walkthrough: installing Debian's prometheus package for promtool")
        let environment = ["DEBIAN_FRONTEND": "noninteractive"]
        for arguments in [["apt-get", "update"], ["apt-get", "install", "-y", "prometheus"]] {
            guard let result = try? CLIRunner.spawn(path: "/usr/bin/apt-get", argv: arguments, environment: environment).wait(timeout: 600),
                result.status == 0
            else {
                return .failure(Unavailable(description: "promtool is not installed and `\(arguments.joined(separator: " "))` failed"))
            }
        }
        return find().map { .success($0) } ?? .failure(Unavailable(description: "Debian's prometheus package installed no promtool"))
    }
}
