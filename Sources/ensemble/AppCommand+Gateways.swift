import ArgumentParser
import EncoderApp
import Ensemble
import NodeLauncher

extension AppCommand {
    /// The nodes `app` is told to enter through, in order: `--via`, then the `--leader` entries.
    func namedGateways() throws -> [NodeAddress] {
        var gateways = try via.map { [try parseNode($0)] } ?? []
        for leader in convention.leaderAddresses where !gateways.contains(leader) { gateways.append(leader) }
        return gateways
    }

    /// The nodes `app` may enter through, in order: `namedGateways()`, then the nodes the state
    /// directory records and the last view's leader and members (`LeaderCandidates`), so that
    /// `app` finds the convention when the nodes it was told of are gone.
    func gatewayList() throws -> [NodeAddress] {
        LeaderCandidates.ordered(leaders: try namedGateways(), state: convention.stateDirectory)
    }

    /// A client entering through the first of `gateways`, failing over to the others and to the
    /// members it learns; when it cannot be made, one line and exit status 1.
    func openClient(to gateways: [NodeAddress], maxMessageSize: Int = MessageSize.defaultLimit) async throws -> EnsembleClient {
        do {
            return try await convention.openFailoverClient(
                to: gateways, messageTypes: encoderAppMessages, maxMessageSize: maxMessageSize)
        } catch {
            printErrorLine("ensemble app: \((error as? CommandFailure)?.message ?? "\(error)")")
            throw ExitCode(1)
        }
    }

    /// Time to find a gateway that answers: 2 s for the first, 1 s more for each other.
    func connectTimeout(_ gateways: [NodeAddress]) -> Duration {
        .seconds(2) + .seconds(1) * (gateways.count - 1)
    }

    /// What to say when no gateway answers: the gateways `app` was told of (`namedGateways()`),
    /// whatever else it tried; one gateway is said as before lists were taken.
    func silenceLine(_ gateways: [NodeAddress]) -> String {
        guard gateways.count == 1 else { return "no node answers at \(gateways.map(\.description).joined(separator: ", "))" }
        return via == nil ? "no leader answers at \(gateways[0])" : "no node answers at \(gateways[0])"
    }
}
