import LilypadCrypto

/// A role a party plays on the network (Lilypad's `ServiceType`).
public enum ServiceRole: String, Sendable, Hashable, Codable, CaseIterable {
    case solver = "Solver"
    case mediator = "Mediator"
    case resourceProvider = "ResourceProvider"
    case jobCreator = "JobCreator"
}

/// A party's published service record (Lilypad's `LilypadUsers` entry).
public struct UserRecord: Sendable, Hashable, Codable {
    public var address: EthereumAddress
    public var url: String
    public var roles: [ServiceRole]
    public var metadataCID: String
}

/// Proof-of-work settings (Lilypad's `LilypadPow`).
public struct PowSettings: Sendable, Hashable, Codable {
    /// A hash below this is a valid proof (Lilypad: 2^256 / ~2.08e8 expected hashes).
    public var difficulty: UInt256
    /// A round accepts submissions for this many blocks after it opens (Lilypad: 30).
    public var windowBlocks: UInt64

    public init(difficulty: UInt256, windowBlocks: UInt64) {
        self.difficulty = difficulty
        self.windowBlocks = windowBlocks
    }

    /// Lilypad's settings: about 2.08 × 10^8 hashes per proof, a 30-block window.
    public static let lilypad = PowSettings(difficulty: UInt256.max.quotientAndRemainder(dividingBy: 208_000_000).quotient, windowBlocks: 30)
}

/// One node's open challenge.
public struct PowChallenge: Sendable, Hashable, Codable {
    public var challenge: [UInt8]
    public var difficulty: UInt256
    public var round: UInt64
    public var nodeID: String
}

extension LedgerState {
    mutating func registerUser(_ sender: EthereumAddress, url: String, roles: [ServiceRole], metadataCID: String) throws(LedgerError) -> [LedgerEvent]
    {
        guard url.isEmpty || url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw .invalidTerms("a service URL starts with http:// or https://")
        }
        guard url.utf8.count <= 2048, metadataCID.utf8.count <= 128, roles.count <= ServiceRole.allCases.count else {
            throw .invalidTerms("the service record is too large")
        }
        setUser(
            UserRecord(address: sender, url: url, roles: Array(Set(roles)).sorted { $0.rawValue < $1.rawValue }, metadataCID: metadataCID),
            for: sender)
        return [.userUpdated(address: sender.checksummed, url: url, roles: roles)]
    }

    mutating func powNewRound(_ sender: EthereumAddress, height: UInt64) throws(LedgerError) -> [LedgerEvent] {
        guard sender == protocolAccount else {
            throw .notEntitled(action: "powNewRound", signer: sender.checksummed, reason: "only the protocol account opens proof-of-work rounds")
        }
        setScalars(powRound: powRound + 1, powRoundStart: height)
        return [.powRoundStarted(round: powRound, startHeight: height)]
    }

    mutating func powChallenge(_ sender: EthereumAddress, nodeID: String, height: UInt64, context: BlockContext) throws(LedgerError) -> [LedgerEvent]
    {
        guard powRound > 0, height <= powRoundStart + pow.windowBlocks else { throw .tooLate(deal: "pow round \(powRound)", action: "powChallenge") }
        guard !nodeID.isEmpty, nodeID.utf8.count <= 128 else { throw .invalidTerms("a node ID is 1 to 128 bytes") }
        // Unpredictable before this block: it mixes the previous block's hash with the sender and node.
        let challenge = Keccak256.hash(context.previousBlockHash + sender.rawRepresentation + Array(nodeID.utf8) + Array(String(powRound).utf8))
        setPowChallenge(PowChallenge(challenge: challenge, difficulty: pow.difficulty, round: powRound, nodeID: nodeID), for: sender)
        return [
            .powChallenge(address: sender.checksummed, nodeID: nodeID, challenge: Hex.encode(challenge, prefix: true), difficulty: pow.difficulty)
        ]
    }

    mutating func powSubmit(_ sender: EthereumAddress, nodeID: String, nonce: UInt256, height: UInt64) throws(LedgerError) -> [LedgerEvent] {
        guard let open = powChallenges[sender], open.nodeID == nodeID else {
            throw .notEntitled(
                action: "powSubmit", signer: sender.checksummed, reason: "no open challenge for node \(nodeID) (already used, or never asked)")
        }
        guard open.round == powRound, height <= powRoundStart + pow.windowBlocks else {
            throw .tooLate(deal: "pow round \(open.round)", action: "powSubmit")
        }
        guard Self.powHash(challenge: open.challenge, nonce: nonce) < open.difficulty else {
            throw .invalidTerms("keccak256(challenge ‖ nonce) is not below the difficulty")
        }
        setPowChallenge(nil, for: sender)  // each challenge proves work once
        setPowSubmissions((powSubmissions[sender] ?? 0) + 1, for: sender)
        return [.powWorkAccepted(address: sender.checksummed, nodeID: nodeID, round: open.round)]
    }

    /// `keccak256(challenge ‖ nonce)` as a number (Solidity's `abi.encodePacked(bytes32, uint256)`).
    public static func powHash(challenge: [UInt8], nonce: UInt256) -> UInt256 {
        let digest = Keccak256.hash(challenge + nonce.bigEndianBytes)
        return UInt256(bigEndianBytes: digest)
    }

    /// Finds a valid nonce by trying `start`, `start + 1`, … up to `limit` attempts (a CPU miner).
    public static func mine(challenge: [UInt8], difficulty: UInt256, start: UInt256 = .zero, limit: UInt64) -> UInt256? {
        var nonce = start
        for _ in 0..<limit {
            if powHash(challenge: challenge, nonce: nonce) < difficulty { return nonce }
            guard let next = nonce.adding(1) else { return nil }
            nonce = next
        }
        return nil
    }
}

extension UInt256 {
    /// From 32 big-endian bytes.
    public init(bigEndianBytes bytes: [UInt8]) {
        var limbs = [UInt64](repeating: 0, count: 4)
        for (index, byte) in bytes.suffix(32).reversed().enumerated() {
            limbs[index / 8] |= UInt64(byte) << UInt64((index % 8) * 8)
        }
        self.init(array: limbs)
    }
}
