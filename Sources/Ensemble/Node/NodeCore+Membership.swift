extension NodeCore {
    /// The actors here that hold global names, for a JOIN.
    var namedActors: [NamedActor] {
        namedCells.compactMap { cell in
            cell.globalName.map { NamedActor(name: $0, address: cell.address, bornMs: cell.bornMs) }
        }
    }

    /// A node life is gone: parents here hear `nodeLost` for their children
    /// there, and actors here whose parent lived there are stopped.
    func nodeLost(_ node: NodeID) {
        for cell in allCells {
            // The parent forgets the child when it takes the notice (told once, however it comes).
            for child in cell.children(on: node) {
                tell(ChildActorExited(child: child, reason: .nodeLost(node.address)), to: cell.address, from: child, correlationID: 0)
            }
            if let parent = cell.parent, parent.node == node {
                logger.info("\(cell.typeName) \(cell.address) lost its parent's node \(node); stopping it")
                cell.stop(.stopped)
            }
        }
    }

    /// Named actors here that lost their name to an older holder stop.
    func stopActorsThatLostTheirNames(_ names: [String: ActorAddress]) {
        for cell in namedCells {
            guard let name = cell.globalName, let holder = names[name], holder != cell.address else { continue }
            logger.notice("\(cell.address) lost the name \"\(name)\" to \(holder); stopping it")
            cell.stop(.stopped)
        }
    }
}
