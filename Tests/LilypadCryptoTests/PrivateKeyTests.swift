import Testing

@testable import LilypadCrypto

@Suite("Keys and addresses")
struct PrivateKeyTests {
    @Test(arguments: [
        ("0x4c0883a69102937d6231471b5dbb6204fe512961708279df95b4a2200eb6b5e7", "0xA127A616aabFc69C83203e7450F205aab6708C7b"),
        // Lilypad's dev solver key (hardhat account #2).
        ("5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
        ("  0X0000000000000000000000000000000000000000000000000000000000000001\n", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"),
    ])
    func addressOfKey(hex: String, address: String) throws {
        #expect(try PrivateKey(hex: hex).address.checksummed == address)
    }

    @Test func malformedKeysSayWhatAKeyLooksLike() {
        #expect(throws: CryptoError.malformedPrivateKey(length: 3)) { try PrivateKey(hex: "0x123") }
        #expect(throws: CryptoError.malformedPrivateKey(length: 64)) { try PrivateKey(hex: String(repeating: "g", count: 64)) }
        let error = #expect(throws: CryptoError.self) { try PrivateKey(hex: "nope") }
        #expect(error?.description.contains("64 hexadecimal digits") == true)
    }

    @Test func seedPhraseIsRecognisedAndNotEchoed() {
        let phrase = "legal winner thank year wave sausage worth useful legal winner thank yellow"
        let error = #expect(throws: CryptoError.seedPhraseInsteadOfPrivateKey(words: 12)) { try PrivateKey(hex: phrase) }
        #expect(error?.description.contains("sausage") == false)
        #expect(error?.description.contains("seed phrase") == true)
    }

    @Test func outOfRangeScalarsAreRefused() {
        #expect(throws: CryptoError.privateKeyOutOfRange) { try PrivateKey(hex: String(repeating: "0", count: 64)) }
        // The group order n itself.
        #expect(throws: CryptoError.privateKeyOutOfRange) {
            try PrivateKey(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        }
    }

    @Test func descriptionRedactsTheSecret() throws {
        let key = try PrivateKey(hex: "4c0883a69102937d6231471b5dbb6204fe512961708279df95b4a2200eb6b5e7")
        #expect(!"\(key)".contains("4c0883a6"))
    }

    @Test func randomKeysDiffer() {
        #expect(PrivateKey.random() != PrivateKey.random())
    }

    // The examples of EIP-55 itself.
    @Test(arguments: [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
    ])
    func eip55Checksums(address: String) throws {
        let parsed = try EthereumAddress(address)
        let upper = address.dropFirst(2).uppercased(), lower = address.dropFirst(2).lowercased()
        // All-caps and all-lower examples are their own checksummed forms when they have no letters to case.
        #expect(parsed.checksummed == address || "0x" + upper == address || "0x" + lower == address)
        #expect(try EthereumAddress(parsed.checksummed) == parsed)
        #expect(try EthereumAddress("0x" + lower) == parsed)
    }

    @Test func checksumTyposAreCaught() {
        #expect(
            throws: CryptoError.addressChecksumMismatch(
                given: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", expected: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        ) {
            try EthereumAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
        }
        #expect(throws: CryptoError.malformedAddress("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")) {
            try EthereumAddress("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        }
        #expect(throws: CryptoError.malformedAddress("0x1234")) { try EthereumAddress("0x1234") }
    }
}
