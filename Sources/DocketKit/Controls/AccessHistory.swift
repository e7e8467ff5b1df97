import Foundation

/// The access history of a store: who had access in each snapshot and when each removal
/// first showed, computed by walking the snapshots oldest first. Reads only tree entries, and
/// remembers the state after the last snapshot it walked, so evaluating each snapshot of a
/// period in order walks each once.
struct AccessHistory {
    /// A team member or app collaborator as seen in one snapshot.
    struct Person: Hashable {
        let entry: ResourceEntry
        var identity: String { "\(entry.kind)/\(entry.key)" }
    }

    /// A person absent from a snapshot after being present in the one before.
    struct Removal: Hashable {
        let person: Person
        /// The last snapshot that showed the person.
        let lastPresent: SnapshotInfo
        /// The first snapshot without the person.
        let firstAbsent: SnapshotInfo
    }

    struct State {
        var present: [String: Person] = [:]
        var removals: [String: Removal] = [:]
        var presentIn: [String: SnapshotInfo] = [:]
    }

    static let kinds = [ResourceKind.teamMember, ResourceKind.collaborator]
    /// The last snapshot walked and the state after it. Only this state is kept, because a
    /// state lists every person and keeping one per snapshot grew memory with the store.
    private var last: (digest: String, state: State)?

    /// Returns the access state after `snapshot`: who is present, and every removal not
    /// undone since. The walk continues from the last state when that snapshot is an earlier
    /// one, and starts from the store's first snapshot otherwise.
    mutating func state(after snapshot: SnapshotInfo, in store: SnapshotStore) throws -> State {
        if let last, last.digest == snapshot.digest { return last.state }
        let chain = try store.snapshots()
        guard let target = chain.firstIndex(where: { $0.digest == snapshot.digest }) else { return State() }
        var start = 0
        var state = State()
        if let last, let walked = chain[..<target].lastIndex(where: { $0.digest == last.digest }) {
            start = walked + 1
            state = last.state
        }
        for index in start...target {
            state = try advance(state, to: chain[index], in: store)
        }
        last = (snapshot.digest, state)
        return state
    }

    private func advance(_ previous: State, to snapshot: SnapshotInfo, in store: SnapshotStore) throws -> State {
        var seen: [String: Person] = [:]
        for kind in Self.kinds {
            for entry in try store.entries(of: snapshot, kind: kind) {
                let person = Person(entry: entry)
                seen[person.identity] = person
            }
        }
        var next = State(present: seen, removals: previous.removals, presentIn: [:])
        for (identity, person) in previous.present where seen[identity] == nil {
            // A listing that failed hides people without removing them: keep them present,
            // as last seen, until a snapshot that read the listing shows them gone.
            if snapshot.isNotRecorded(kind: person.entry.kind, parentKey: person.entry.parentKey) {
                next.present[identity] = person
                next.presentIn[identity] = previous.presentIn[identity]
            } else if let lastPresent = previous.presentIn[identity] {
                next.removals[identity] = Removal(person: person, lastPresent: lastPresent, firstAbsent: snapshot)
            }
        }
        for identity in seen.keys {
            next.removals[identity] = nil
            next.presentIn[identity] = snapshot
        }
        return next
    }
}
