import ArgumentParser
import Ensemble
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

extension ConventionOptions {
    /// The CurveZMQ key directory in force, as an absolute path: `--curve`, else
    /// `$ENSEMBLE_CURVE`; nil (plain text) when neither is set.
    var curveDirectory: String? {
        guard let directory = curve ?? environment("ENSEMBLE_CURVE"), !directory.isEmpty else { return nil }
        return absolutePath(directory)
    }

    /// The keys for `role`, or nil in plain text.
    /// - Throws: `CommandFailure` naming the key file that is missing or wrong.
    func curveCredentials(role: CurveRole) throws -> CurveCredentials? {
        guard let directory = curveDirectory else { return nil }
        do {
            return try CurveCredentials.load(directory: directory, role: role)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// `openClient(to:messageTypes:)` for a command: when it cannot, one line
    /// (`ensemble COMMAND: why`) on standard error and exit status 1.
    func openClient(
        for command: String, to target: NodeAddress, messageTypes: [any Message.Type] = [], timeout: Duration = .seconds(2),
        maxMessageSize: Int = MessageSize.defaultLimit, learnt: [NodeAddress: CurveKey] = [:]
    ) async throws -> EnsembleClient {
        do {
            return try await openClient(
                to: target, messageTypes: messageTypes, timeout: timeout, maxMessageSize: maxMessageSize, learnt: learnt)
        } catch {
            printErrorLine("ensemble \(command): \((error as? CommandFailure)?.message ?? "\(error)")")
            throw ExitCode(1)
        }
    }

    /// One exchange with the node at `target`: opens a client, connects within
    /// `connectTimeout`, runs `body`, closes. Whatever fails is one line
    /// (`ensemble COMMAND: why`) on standard error and exit status 1; `body`
    /// may throw a `CommandFailure` to say its own line. `learnt`: keys from a view (`curveKeys(for:credentials:learnt:timeout:)`).
    func exchange<T>(
        for command: String, with target: NodeAddress, connectTimeout: Duration = .seconds(2),
        learnt: [NodeAddress: CurveKey] = [:], _ body: (EnsembleClient) async throws -> T
    ) async throws -> T {
        let client = try await openClient(for: command, to: target, timeout: connectTimeout, learnt: learnt)
        do {
            return try await run(body, on: client, connectTimeout: connectTimeout)
        } catch {
            let line = (error as? CommandFailure)?.message ?? failureLine(error, otherwise: "no node answers at \(target)")
            printErrorLine("ensemble \(command): \(line)")
            throw ExitCode(1)
        }
    }

    /// Connects `client`, runs `body` with it, and closes it whatever happens.
    private func run<T>(
        _ body: (EnsembleClient) async throws -> T, on client: EnsembleClient, connectTimeout: Duration
    ) async throws -> T {
        do {
            try await client.connect(timeout: connectTimeout)
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    /// A client for `target`, over CurveZMQ when keys are in force (a node other than the
    /// leader has its public key taken from `learnt` or looked up in a view unless `nodes/`
    /// holds it: `curveKeys(for:credentials:learnt:timeout:)`).
    /// - Throws: `CommandFailure` with one line when the keys are unusable or the key cannot be learnt.
    func openClient(
        to target: NodeAddress, messageTypes: [any Message.Type] = [], timeout: Duration = .seconds(2),
        maxMessageSize: Int = MessageSize.defaultLimit, learnt: [NodeAddress: CurveKey] = [:]
    ) async throws -> EnsembleClient {
        guard let credentials = try curveCredentials(role: .client) else {
            return try EnsembleClient(gateway: target, messageTypes: messageTypes, maxMessageSize: maxMessageSize)
        }
        let keys: CurveClientKeys
        do {
            let found = await curveKeys(for: [target], credentials: credentials, learnt: learnt, timeout: timeout)
            keys = try found[target, default: .failure(.refused("no public key for \(target)"))].get()
        } catch {
            throw CommandFailure("\(error)")
        }
        return try EnsembleClient(gateway: target, messageTypes: messageTypes, curve: keys, maxMessageSize: maxMessageSize)
    }
}

extension ConventionOptions {
    /// `exchange(for:with:connectTimeout:_:)` with the first of `targets` that answers: a node
    /// that does not connect, or connects and does not answer, is passed over for the next; a
    /// refusal or an answer (even a failing one) ends the tries. One target behaves as `exchange`.
    func exchange<T>(
        for command: String, withFirstOf targets: [NodeAddress], connectTimeout: Duration = .seconds(2),
        learnt: [NodeAddress: CurveKey] = [:], _ body: (EnsembleClient) async throws -> T
    ) async throws -> T {
        guard targets.count > 1 else {
            return try await exchange(for: command, with: targets[0], connectTimeout: connectTimeout, learnt: learnt, body)
        }
        do {
            return try await firstAnswer(from: targets, connectTimeout: connectTimeout, learnt: learnt, body)
        } catch let failure as CommandFailure {
            printErrorLine("ensemble \(command): \(failure.message)")
            throw ExitCode(1)
        }
    }

    /// `body`'s result with the first of `targets` that answers (as `exchange(for:withFirstOf:)`),
    /// for callers that say failures their own way (the dashboard).
    /// - Throws: `CommandFailure` with one line when no target answers or `body` fails.
    func firstAnswer<T>(
        from targets: [NodeAddress], connectTimeout: Duration = .seconds(2),
        learnt: [NodeAddress: CurveKey] = [:], _ body: (EnsembleClient) async throws -> T
    ) async throws -> T {
        // A target whose client cannot be made (over CurveZMQ: its key not learnt, the leader
        // being what does not answer) is passed over too; the first such reason ends the last line.
        var unusable: String?
        for target in targets {
            let client: EnsembleClient
            do {
                client = try await openClient(to: target, timeout: connectTimeout, learnt: learnt)
            } catch {
                unusable = unusable ?? ((error as? CommandFailure)?.message ?? "\(error)")
                continue
            }
            do {
                return try await run(body, on: client, connectTimeout: connectTimeout)
            } catch EnsembleError.unreachable, EnsembleError.timeout {
                continue
            } catch {
                throw CommandFailure(
                    (error as? CommandFailure)?.message ?? failureLine(error, otherwise: "no answer from \(target): \(error)"))
            }
        }
        let tried = targets.map(\.description).joined(separator: ", ")
        throw CommandFailure("no node answers at \(tried)\(unusable.map { " (\($0))" } ?? "")")
    }

    /// A client that fails over between `gateways` (in order) and the members it learns from
    /// their views; over CurveZMQ, with the keys known or learnt from a view for
    /// each (those whose key cannot be learnt are left out, unless it is the first: then one line).
    /// - Throws: `CommandFailure` with one line when the keys are unusable or the first gateway's key cannot be learnt.
    func openFailoverClient(
        to gateways: [NodeAddress], messageTypes: [any Message.Type] = [], timeout: Duration = .seconds(2),
        maxMessageSize: Int = MessageSize.defaultLimit
    ) async throws -> EnsembleClient {
        guard let credentials = try curveCredentials(role: .client) else {
            return try EnsembleClient(gateways: gateways, messageTypes: messageTypes, maxMessageSize: maxMessageSize)
        }
        let keys = await curveKeys(for: gateways, credentials: credentials, timeout: timeout)
        var serverKeys: [NodeAddress: CurveKey] = [:]
        for gateway in gateways {
            switch keys[gateway] {
            case .success(let known)?: serverKeys[gateway] = known.serverKey
            case .failure(let error)? where gateway == gateways[0]: throw CommandFailure("\(error)")
            default: continue
            }
        }
        return try EnsembleClient(
            gateways: gateways.filter { serverKeys[$0] != nil }, messageTypes: messageTypes, curve: credentials.keyPair,
            serverKeys: serverKeys, maxMessageSize: maxMessageSize)
    }
}

/// `path` from the root: as it is when it starts with `/`, else under the working directory
/// (as it is when that cannot be read).
func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
}

/// The line to print for a failed connection or request: a refusal says why, anything else `otherwise`.
func failureLine(_ error: any Error, otherwise: String) -> String {
    if case EnsembleError.refused(let why)? = error as? EnsembleError { return why }
    return otherwise
}
