import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// Key files, key directories and the ZAP request format.
@Suite struct CurveKeyTests {
    static let pair = try! CurveKeyPair.generate()

    @Test func aKeyFileHoldsOneZ85KeyWithOptionalCommentsAndBlankLines() throws {
        let text = "# node b, rack 3\n\n  \(Self.pair.publicKey.z85)  \n"
        #expect(try CurveKey.parse(keyFile: text, path: "b.pub") == Self.pair.publicKey)
    }

    @Test func aBadKeyFileIsOneLineNamingTheFile() {
        let cases: [(String, String)] = [
            ("", "holds no key"),
            ("# only a comment\n", "holds no key"),
            ("\(Self.pair.publicKey.z85)\n\(Self.pair.publicKey.z85)\n", "holds 2 lines"),
            (String(Self.pair.publicKey.z85.dropLast()), "expected 40 Z85 characters, found 39"),
            (String(Self.pair.publicKey.z85.dropLast()) + "~", "not valid Z85"),
            (String(repeating: "~", count: 40), "not valid Z85"),
        ]
        for (text, problem) in cases {
            #expect(throws: CurveKeyError.self) { try CurveKey.parse(keyFile: text, path: "/keys/authorized/b.pub") }
            do {
                _ = try CurveKey.parse(keyFile: text, path: "/keys/authorized/b.pub")
            } catch {
                #expect(error.description.hasPrefix("/keys/authorized/b.pub "), "\(error)")
                #expect(error.description.contains(problem), "\(error) should say \(problem)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func aKeyPairMustBelongTogether() throws {
        let other = try CurveKeyPair.generate()
        #expect(CurveKeyPair(publicKey: Self.pair.publicKey, secretKey: Self.pair.secretKey) == Self.pair)
        #expect(CurveKeyPair(publicKey: other.publicKey, secretKey: Self.pair.secretKey) == nil)
        #expect(!"\(Self.pair)".contains(Self.pair.secretKey.z85))
    }

    @Test func keysTravelInTheViewAndInJoins() throws {
        let life = Fixture.node(10000)
        let member = MemberInfo(node: life, capabilities: Capabilities(["morse"]), load: 2, publicKey: Self.pair.publicKey)
        let snapshot = ViewSnapshot(leader: life, sequence: 3, members: [member, Fixture.member(Fixture.node(10001))], names: [:])
        #expect(try ViewSnapshot(protoBytes: snapshot.protoBytes()) == snapshot)
        let join = ControlRequest.join(JoinRequest(
            node: life, capabilities: .none, load: 0, protocolVersion: Envelope.protocolVersion, publicKey: Self.pair.publicKey))
        #expect(try ControlCodec.roundTrip(join) == join)
        // A JOIN without a key (a plain-text convention) reads back without one.
        let plain = ControlRequest.join(JoinRequest(node: life, capabilities: .none, load: 0, protocolVersion: Envelope.protocolVersion))
        #expect(try ControlCodec.roundTrip(plain) == plain)
    }

    @Test func aZAPRequestCarriesTheClientsCurveKey() throws {
        var binary = [UInt8](repeating: 0, count: 32)
        for index in binary.indices { binary[index] = UInt8(index * 7 & 0xFF) }
        let key = try #require(ZMQCurve.z85(binary))
        let frames: [[UInt8]] = [Array("1.0".utf8), [9, 9], Array("ensemble".utf8), Array("10.0.0.7".utf8), [], Array("CURVE".utf8), binary]
        let request = try #require(ZAPRequest(frames: frames))
        #expect(request.curveKey == key)
        #expect(request.domain == "ensemble")
        #expect(request.address == "10.0.0.7")
        let reply = request.reply(accepted: true, userID: key, reason: "OK")
        #expect(reply == [Array("1.0".utf8), [9, 9], Array("200".utf8), Array("OK".utf8), Array(key.utf8), []])
        #expect(request.reply(accepted: false, userID: key, reason: "no")[2] == Array("400".utf8))
        #expect(ZAPRequest(frames: [Array("2.0".utf8)] + frames.dropFirst()) == nil)
        let shortKey = try #require(ZAPRequest(frames: Array(frames.prefix(6)) + [[1, 2, 3]]))
        #expect(shortKey.curveKey == nil)
    }
}

/// Loading a `--curve DIR` directory from disk.
@Suite struct CurveDirectoryTests {
    /// A key directory as keygen makes it, plus the given extra files; removed by the caller.
    static func directory(_ pair: CurveKeyPair, files: [String: String] = [:]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-keys-\(UUID().uuidString)").path
        for sub in ["members", "clients", "admin"] {
            try FileManager.default.createDirectory(atPath: "\(path)/\(sub)", withIntermediateDirectories: true)
        }
        try write("\(path)/secret.key", pair.secretKey.z85 + "\n", mode: 0o600)
        try write("\(path)/public.key", pair.publicKey.z85 + "\n", mode: 0o644)
        for (name, text) in files {
            let file = URL(fileURLWithPath: "\(path)/\(name)")
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try write(file.path, text, mode: 0o644)
        }
        return path
    }

    static func write(_ path: String, _ text: String, mode: Int) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    static func problem(_ directory: String, _ role: CurveRole) -> String? {
        do {
            _ = try CurveCredentials.load(directory: directory, role: role)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aMemberLoadsItsKeysTheLeadersAndWhoItAcceptsInWhichRole() throws {
        let me = try CurveKeyPair.generate(), leader = try CurveKeyPair.generate()
        let user = try CurveKeyPair.generate(), admin = try CurveKeyPair.generate()
        let path = try Self.directory(me, files: [
            "leader.pub": leader.publicKey.z85, "members/leader.pub": leader.publicKey.z85,
            "clients/user.pub": "# an operator\n" + user.publicKey.z85, "admin/admin.pub": admin.publicKey.z85,
            "nodes/10.0.0.2:10000.pub": leader.publicKey.z85,
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let credentials = try CurveCredentials.load(directory: path, role: .member)
        #expect(credentials.keyPair == me)
        #expect(credentials.leaderKey == leader.publicKey)
        #expect(credentials.authorization.nodeKeys == [leader.publicKey])
        #expect(credentials.authorization.clientKeys == [user.publicKey])
        #expect(credentials.authorization.adminKeys == [admin.publicKey])
        #expect(credentials.authorization.permissions(of: leader.publicKey) == [.join, .use])
        #expect(credentials.authorization.permissions(of: user.publicKey) == [.use])
        #expect(credentials.authorization.permissions(of: admin.publicKey) == [.use, .administer, .stopActors])
        let remote = NodeAddress(host: "10.0.0.2", port: 10000)
        #expect(credentials.nodeKeys == [remote: leader.publicKey])
        let leaderAddress = NodeAddress(host: "10.0.0.1", port: 1900)
        #expect(credentials.knownServerKey(for: leaderAddress, leader: leaderAddress) == leader.publicKey)
        #expect(credentials.knownServerKey(for: remote, leader: leaderAddress) == leader.publicKey)
        #expect(credentials.knownServerKey(for: NodeAddress(host: "10.0.0.3", port: 1), leader: leaderAddress) == nil)
    }

    @Test func aBadFileInARoleDirectoryStopsTheLoadNamingIt() throws {
        for directory in ["members", "clients", "admin"] {
            let path = try Self.directory(try CurveKeyPair.generate(), files: ["\(directory)/typo.pub": "not a key"])
            defer { try? FileManager.default.removeItem(atPath: path) }
            let problem = try #require(Self.problem(path, .leader))
            #expect(problem.hasPrefix("\(path)/\(directory)/typo.pub "))
            #expect(problem.contains("not a CurveZMQ key"))
            // A client does not read who a node accepts.
            #expect(Self.problem(path, .client) == nil)
        }
    }

    @Test func anOldAuthorizedDirectoryWithKeysIsRefusedWithTheWayOver() throws {
        let pair = try CurveKeyPair.generate()
        let path = try Self.directory(pair, files: ["authorized/a.pub": pair.publicKey.z85])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let problem = try #require(Self.problem(path, .leader))
        #expect(problem.hasPrefix("\(path)/authorized/ is no longer read: move node keys to members/, client keys to clients/"))
        // Emptied, it is harmless.
        try FileManager.default.removeItem(atPath: "\(path)/authorized/a.pub")
        #expect(Self.problem(path, .leader) == nil)
    }

    @Test func missingOrMismatchedFilesAreNamed() throws {
        let me = try CurveKeyPair.generate(), other = try CurveKeyPair.generate()
        let path = try Self.directory(me)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(Self.problem(path, .member)?.hasPrefix("\(path)/leader.pub cannot be read") == true)
        try Self.write("\(path)/leader.pub", other.publicKey.z85, mode: 0o644)
        #expect(Self.problem(path, .member) == nil)
        #expect(Self.problem(path, .leader) == "\(path)/leader.pub is not this node's public key, yet this node is the leader")
        try FileManager.default.removeItem(atPath: "\(path)/members")
        #expect(Self.problem(path, .member)?.hasPrefix("\(path)/members/ is missing") == true)
        try Self.write("\(path)/public.key", other.publicKey.z85, mode: 0o644)
        #expect(Self.problem(path, .client) == "\(path)/public.key is not the public key of \(path)/secret.key")
        try FileManager.default.removeItem(atPath: "\(path)/secret.key")
        #expect(Self.problem(path, .client) == "\(path)/secret.key cannot be read (No such file or directory)")
    }

    @Test func aSecretKeyOthersCanReadIsRefused() throws {
        let path = try Self.directory(try CurveKeyPair.generate())
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: "\(path)/secret.key")
        #expect(Self.problem(path, .client) == "\(path)/secret.key is readable by other users (mode 0640); make it private with chmod 600")
    }

    @Test func theLeaderUsesItsOwnKeyAsTheLeaderKey() throws {
        let me = try CurveKeyPair.generate()
        let path = try Self.directory(me)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try CurveCredentials.load(directory: path, role: .leader).leaderKey == me.publicKey)
        #expect(try CurveCredentials.load(directory: path + "/", role: .client).leaderKey == nil)
    }

    @Test func aNodesFileMustBeNamedAfterItsNode() throws {
        let pair = try CurveKeyPair.generate()
        let path = try Self.directory(pair, files: ["nodes/b.pub": pair.publicKey.z85])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(Self.problem(path, .client) == "\(path)/nodes/b.pub is not named HOST:PORT.pub after the node it belongs to")
    }
}
