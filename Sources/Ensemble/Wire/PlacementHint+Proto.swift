extension PlacementHint {
    /// The hint of a client's `CreateActorRequest` (nil: it gave none), checked on arrival by
    /// the rule the client API uses (`problem`), so a malformed one is refused before placement.
    init?(proto hint: Ensemble_V2_CreateActorRequest.OneOf_Hint?) throws(WireError) {
        let decoded: PlacementHint
        switch hint {
        case .preferredNode(let address)?:
            do throws(WireError) {
                decoded = .node(try NodeAddress(proto: address))
            } catch {
                throw .malformed("bad placement hint: the preferred node's address is malformed (\(error.detail))")
            }
        case .preferredCapability(let name)?:
            decoded = .capability(name)
        case nil:
            return nil
        }
        if let problem = decoded.problem { throw .malformed("bad placement hint: \(problem)") }
        self = decoded.normalized
    }
}

extension WireError {
    /// What was wrong, without the "malformed envelope" that `description` begins with.
    var detail: String {
        if case .malformed(let what) = self { return what }
        return description
    }
}
