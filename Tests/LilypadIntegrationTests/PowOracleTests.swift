import Foundation
import LilypadCrypto
import LilypadLedger
import Testing

/// The proof-of-work hash against Solidity's `keccak256(abi.encodePacked(bytes32 challenge, uint256 nonce))`,
/// computed by eth-hash (the Keccak eth-account uses).
@Suite("Proof-of-work hash oracle")
struct PowOracleTests {
    @Test func powHashMatchesEthHash() throws {
        var generator = SeededGenerator(seed: SeededGenerator.configuredSeed)
        var lines: [String] = []
        var ours: [String] = []
        for _ in 0..<50 {
            let challenge = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let nonce = UInt256(decimal: String(UInt64.random(in: 0...UInt64.max, using: &generator))) ?? .zero
            lines.append("\(Hex.encode(challenge)) \(nonce)")
            ours.append(LedgerState.powHash(challenge: challenge, nonce: nonce).description)
        }
        let script = """
            import sys
            from eth_hash.auto import keccak
            for line in sys.stdin.read().split("\\n"):
                if line:
                    c, n = line.split()
                    print(int.from_bytes(keccak(bytes.fromhex(c) + int(n).to_bytes(32, "big")), "big"))
            """
        let theirs = try Oracle.python(["-c", script], stdin: Data(lines.joined(separator: "\n").utf8), modules: ["eth_hash"])
        #expect(theirs.split(separator: "\n").map(String.init) == ours)
    }
}
