import Testing

@testable import LilypadCrypto

@Suite("Signatures")
struct RecoverableSignatureTests {
    let key: PrivateKey

    init() throws {
        key = try PrivateKey(hex: "4c0883a69102937d6231471b5dbb6204fe512961708279df95b4a2200eb6b5e7")
    }

    @Test func personalMessageDigestMatchesWeb3() {
        // web3.eth.accounts.hashMessage("Some data")
        #expect(
            Hex.encode(PersonalMessage.digest(Array("Some data".utf8)), prefix: true)
                == "0x1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655")
    }

    @Test func personalSignVector() {
        // Deterministic (RFC 6979): the same bytes eth-account's Account.sign_message gives.
        #expect(
            key.signPersonalMessage(Array("Some data".utf8)).hexString
                == "0x222ba3c2ebc6ae6fd26d3a6396d5a8c6e6950fb4b29bd423ae09ce3e5896406e690829ae2b4d2b8bb1be1d352cb22d07d30ce78f978033034080b40c8b823c931c"
        )
    }

    @Test func roundTripAndRecovery() throws {
        for length in [0, 1, 32, 1000] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
            let signature = key.signPersonalMessage(message)
            let bytes = signature.bytes()
            #expect(bytes.count == 65)
            #expect(bytes[64] == 27 || bytes[64] == 28)
            #expect(try RecoverableSignature(bytes: bytes) == signature)
            #expect(try RecoverableSignature(bytes: signature.bytes(vOffset: 0)) == signature)
            #expect(try signature.recoverPersonalMessageSigner(message) == key.address)
            try signature.verifyPersonalMessage(message, signer: key.address)
        }
    }

    @Test func tamperedMessageRecoversAnotherSigner() throws {
        let signature = key.signPersonalMessage(Array("pay 10".utf8))
        #expect(throws: CryptoError.self) { try signature.verifyPersonalMessage(Array("pay 99".utf8), signer: key.address) }
    }

    @Test func malformedSignaturesAreRefused() throws {
        var bytes = key.signPersonalMessage([1, 2, 3]).bytes()
        #expect(throws: CryptoError.malformedSignature("it is 64 bytes long")) { try RecoverableSignature(bytes: Array(bytes.prefix(64))) }
        bytes[64] = 29
        #expect(throws: CryptoError.invalidRecoveryID(29)) { try RecoverableSignature(bytes: bytes) }
        #expect(throws: CryptoError.malformedSignature("it is not hexadecimal")) { try RecoverableSignature(hex: "0xzz") }
    }

    @Test func highSIsRefused() throws {
        // s' = n − s is the malleable twin of a valid signature.
        let signature = key.signPersonalMessage([9])
        let order = try #require(Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"))
        var twin = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in (0..<32).reversed() {
            var difference = Int(order[index]) - Int(signature.s[index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            twin[index] = UInt8(difference)
        }
        #expect(throws: CryptoError.highSSignature) { try RecoverableSignature(bytes: signature.r + twin + [27]) }
    }
}
