import Foundation
import Testing

/// The walkthrough's files that no test can run here: the Prometheus scrape configuration
/// (checked by `promtool check config` through `deploy/operations-steps.sh`, which installs
/// Debian's `prometheus` package when promtool is missing) and the systemd units (no systemd
/// as PID 1: checked by `systemd-analyze verify`).
extension OperationsWalkthroughTests {
    @Test func thePrometheusScrapeConfigurationPassesPromtool() throws {
        let checked = try Promtool.checkConfiguration()
        if checked.status == Promtool.unavailable {
            try Test.cancel("skipped: \(checked.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        #expect(checked.status == 0, "promtool check config: \(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("SUCCESS"), "promtool said: \(checked.stdout)\(checked.stderr)")
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
            try files.copyItem(atPath: "\(OperationsSite.repository)/deploy/\(unit)", toPath: "\(root)/etc/systemd/system/\(unit)")
        }
        try files.copyItem(atPath: CLIRunner.binary, toPath: "\(root)/usr/local/bin/ensemble")
        let verified = try CLIRunner.spawn(path: analyze, argv: ["systemd-analyze", "verify", "--root=\(root)",
                                                                 "ensemble@10000.service", "ensemble-dashboard.service"]).wait(timeout: 60)
        // systemd-analyze exits 0 after warnings (an unknown key, a bad value ignored): any line counts.
        #expect(verified.status == 0 && verified.stdout.isEmpty && verified.stderr.isEmpty,
                "systemd-analyze verify (exit \(verified.status)): \(verified.stdout)\(verified.stderr)")
    }
}

/// `promtool`, Debian's `prometheus` package, through `deploy/operations-steps.sh`.
enum Promtool {
    /// The script's exit status when promtool cannot be had (it says why on standard error).
    static let unavailable: Int32 = 77

    /// `deploy/operations-steps.sh check-prometheus deploy/prometheus.yml`, once per test run:
    /// it installs promtool first when missing and it can.
    static let configurationChecked: Result<CLIResult, Error> = Result {
        try CLIRunner.spawn(path: "\(OperationsSite.repository)/deploy/operations-steps.sh",
                            argv: ["operations-steps.sh", "check-prometheus", "\(OperationsSite.repository)/deploy/prometheus.yml"])
            .wait(timeout: 900)
    }

    static func checkConfiguration() throws -> CLIResult { try configurationChecked.get() }

    /// What `promtool check metrics` finds wrong with `exposition`, one line each; empty when
    /// promtool is not to be had (`thePrometheusScrapeConfigurationPassesPromtool` says why).
    static func problems(in exposition: String) throws -> [String] {
        _ = try checkConfiguration()
        guard let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool", "/bin/promtool"].first(where: FileManager.default.isExecutableFile)
        else { return [] }
        let checked = try CLIRunner.spawn(path: promtool, argv: ["promtool", "check", "metrics"], input: exposition).wait(timeout: 30)
        let said = (checked.stdout + checked.stderr).split(separator: "\n").map(String.init)
        return checked.status == 0 ? [] : ["exit \(checked.status)"] + said
    }
}
