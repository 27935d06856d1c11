import Synchronization

/// The children of this node's actors whose types ask to be re-created elsewhere when lost
/// (`EnsembleActor.replaceOnLoss`), with what it takes to create them again.
final class ReplaceableChildren: Sendable {
    /// How to create a lost child again. A placement hint it was created with is not kept:
    /// a hint is a preference at creation, and the node it named may be the one lost.
    struct Recipe: Sendable, Equatable {
        var parent: ActorAddress
        var typeName: String
        var globalName: String?
    }

    private let recipes = Mutex<[ActorAddress: Recipe]>([:])

    /// Records `child` of a local parent.
    func record(_ child: ActorAddress, _ recipe: Recipe) {
        recipes.withLock { $0[child] = recipe }
    }

    /// The recipe of `child` of `parent`, taken out: a child is replaced once, and one that
    /// ended for another reason is forgotten.
    func take(_ child: ActorAddress, of parent: ActorAddress) -> Recipe? {
        recipes.withLock { recipes in
            guard recipes[child]?.parent == parent else { return nil }
            return recipes.removeValue(forKey: child)
        }
    }

    /// Forgets every child of `parent`, which has ended.
    func forget(parent: ActorAddress) {
        recipes.withLock { recipes in
            guard recipes.values.contains(where: { $0.parent == parent }) else { return }
            recipes = recipes.filter { $0.value.parent != parent }
        }
    }

    var count: Int { recipes.withLock { $0.count } }
}

extension NodeCore {
    /// How often a replacement asks for a global name still held by the lost child (its
    /// node's names reach the leader a moment after the parent hears of the loss).
    static let replacementNameAttempts = 20

    /// Records a child created by a local parent, if its type asks to be replaced when lost.
    func noteChild(_ child: ActorAddress, type: any EnsembleActor.Type, globalName: String?, parent: ActorCell?) {
        guard type.replaceOnLoss, let parent else { return }
        replaceable.record(child, .init(parent: parent.address, typeName: type.typeName, globalName: globalName))
    }

    /// A child of `parent` ended: when it was lost with its node or a capability and asked to be
    /// replaced, a replacement is created elsewhere and the notice held back (true); the parent
    /// then hears `ChildActorReplaced`, or this notice when nobody can take the child.
    func replaceIfAsked(_ exited: ChildActorExited, parent: ActorCell) -> Bool {
        guard let recipe = replaceable.take(exited.child, of: parent.address) else { return false }
        switch exited.reason {
        case .nodeLost, .capabilityLost: break
        case .stopped, .crashed: return false
        }
        let executor: any TaskExecutor = actorExecutor ?? ioExecutor
        Task(executorPreference: executor) { await self.replace(exited, recipe, parent: parent) }
        return true
    }

    private func replace(_ exited: ChildActorExited, _ recipe: ReplaceableChildren.Recipe, parent: ActorCell) async {
        do {
            var attempt = 0
            while true {
                attempt += 1
                let (address, created) = try await findOrCreate(
                    typeName: recipe.typeName, globalName: recipe.globalName, parent: parent)
                let stale = address == exited.child || view?.member(address.node) == nil
                if !stale || attempt >= Self.replacementNameAttempts {
                    guard !stale else { throw EnsembleError.remote("the name \(recipe.globalName ?? "") is still held by \(address)") }
                    // The parent ended while this went on: it stopped its children without this one.
                    guard cell(parent.address.id) === parent else {
                        if created { tell(ActorExitRequest(), to: address, from: parent.address, correlationID: 0) }
                        return
                    }
                    if created, let type = actorTypes[recipe.typeName] {
                        noteChild(address, type: type, globalName: recipe.globalName, parent: parent)
                    }
                    counters.add("actorsReplaced")
                    logger.notice("\(recipe.typeName) \(exited.child) was lost (\(exited.reason)); replaced by \(address)")
                    tell(ChildActorReplaced(child: exited.child, replacement: address, reason: exited.reason),
                         to: parent.address, from: address, correlationID: 0)
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        } catch {
            logger.warning("\(recipe.typeName) \(exited.child) was lost (\(exited.reason)) and cannot be replaced: \(logDescription(of: error))")
            // Its child again until the parent takes this notice, which is then no repeat.
            parent.addChild(exited.child)
            tell(exited, to: parent.address, from: exited.child, correlationID: 0)
        }
    }
}
