import Ensemble

// docs/library.md's client, as the page shows it (DocsTests check that it does); NodeBinaryTests
// run it against nodes of the example binary (Examples/GreeterNode, whose types Greeter.swift
// brings into this module).

/// Greets "world" through the node on `port` of this machine (1900: the walkthrough's leader).
func greetTheWorld(through port: UInt16) async throws -> String {
    let client = try EnsembleClient(gateway: NodeAddress(host: "127.0.0.1", port: port), types: greeterTypes)
    try await client.connect(timeout: .seconds(5))
    let greeter = try await client.createActor(Greeter.self, timeout: .seconds(5))
    let greeting = try await client.ask(.greet("world"), to: greeter, expecting: Greeting.self, timeout: .seconds(5))
    await client.close()
    return greeting.text   // "hello, world"
}
