import LilypadCore
import LilypadCrypto

/// A value replaced by a write, so the write can be undone.
enum JournalEntry: Sendable, Hashable {
    case balance(EthereumAddress, UInt256?)
    case escrow(EthereumAddress, UInt256?)
    case nonce(EthereumAddress, UInt64?)
    case deal(String, LedgerState.DealRecord?)
    case user(EthereumAddress, UserRecord?)
    case powChallenge(EthereumAddress, PowChallenge?)
    case powSubmissions(EthereumAddress, UInt64?)
    case scalars(totalSupply: UInt256, powRound: UInt64, powRoundStart: UInt64)
}

/// Journaled writes, undo, and the state hash built from what a block wrote.
extension LedgerState {
    mutating func setBalance(_ value: UInt256, for account: EthereumAddress) {
        journal.append(.balance(account, balances[account]))
        balances[account] = value
    }

    mutating func setEscrow(_ value: UInt256, for account: EthereumAddress) {
        journal.append(.escrow(account, escrow[account]))
        escrow[account] = value
    }

    mutating func setNonce(_ value: UInt64, for account: EthereumAddress) {
        journal.append(.nonce(account, nonces[account]))
        nonces[account] = value
    }

    mutating func setDeal(_ value: DealRecord, for id: String) {
        journal.append(.deal(id, deals[id]))
        deals[id] = value
    }

    mutating func setUser(_ value: UserRecord, for account: EthereumAddress) {
        journal.append(.user(account, users[account]))
        users[account] = value
    }

    mutating func setPowChallenge(_ value: PowChallenge?, for account: EthereumAddress) {
        journal.append(.powChallenge(account, powChallenges[account]))
        powChallenges[account] = value
    }

    mutating func setPowSubmissions(_ value: UInt64, for account: EthereumAddress) {
        journal.append(.powSubmissions(account, powSubmissions[account]))
        powSubmissions[account] = value
    }

    mutating func setScalars(totalSupply: UInt256? = nil, powRound: UInt64? = nil, powRoundStart: UInt64? = nil) {
        journal.append(.scalars(totalSupply: self.totalSupply, powRound: self.powRound, powRoundStart: self.powRoundStart))
        if let totalSupply { self.totalSupply = totalSupply }
        if let powRound { self.powRound = powRound }
        if let powRoundStart { self.powRoundStart = powRoundStart }
    }

    /// Undoes every write after `mark`, newest first.
    mutating func rollback(to mark: Int) {
        while journal.count > mark, let entry = journal.popLast() {
            switch entry {
            case .balance(let key, let old): balances[key] = old
            case .escrow(let key, let old): escrow[key] = old
            case .nonce(let key, let old): nonces[key] = old
            case .deal(let key, let old): deals[key] = old
            case .user(let key, let old): users[key] = old
            case .powChallenge(let key, let old): powChallenges[key] = old
            case .powSubmissions(let key, let old): powSubmissions[key] = old
            case .scalars(let supply, let round, let start):
                totalSupply = supply
                powRound = round
                powRoundStart = start
            }
        }
    }

    /// The state hash after the writes in the journal:
    /// `keccak256(previous state hash ‖ sorted lines "kind key new-value" for every entry written)`.
    ///
    /// It commits to the whole state transitively from genesis (each entry's latest value is in the
    /// hash of the block that last wrote it) at a cost proportional to what the block wrote.
    func journalStateHash(previous: String) -> String {
        let encoder = GoJSONEncoder()
        func json(_ value: some Encodable) -> String { (try? encoder.encodeToString(value)) ?? "?" }
        var lines = Set<String>()
        for entry in journal {
            switch entry {
            case .balance(let key, _): lines.insert("balance \(key) \(balance(of: key))")
            case .escrow(let key, _): lines.insert("escrow \(key) \(escrowBalance(of: key))")
            case .nonce(let key, _): lines.insert("nonce \(key) \(nextNonce(of: key))")
            case .deal(let key, _): lines.insert("deal \(json(key)) \(deals[key].map(json) ?? "null")")
            case .user(let key, _): lines.insert("user \(key) \(users[key].map(json) ?? "null")")
            case .powChallenge(let key, _): lines.insert("pow-challenge \(key) \(powChallenges[key].map(json) ?? "null")")
            case .powSubmissions(let key, _): lines.insert("pow-submissions \(key) \(powSubmissions[key] ?? 0)")
            case .scalars: lines.insert("scalars \(totalSupply) \(powRound) \(powRoundStart)")
            }
        }
        let text = lines.sorted().joined(separator: "\n")
        return Hex.encode(Keccak256.hash((Hex.decode(previous) ?? []) + Array(text.utf8)), prefix: true)
    }

    /// Forgets the journal: its writes are final.
    mutating func commitJournal() { journal.removeAll(keepingCapacity: true) }
}
