import Foundation
import LilypadCrypto
import Testing

/// Keys, addresses and `personal_sign` signatures against Python's eth-account, both directions.
@Suite("eth-account oracle", .serialized)
struct EthAccountOracleTests {
    struct Case: Codable {
        var key: String
        var message: String
        var address: String
        var signature: String
    }

    struct Request: Codable {
        var check: [Case]
        var make: Int
        var texts: [String] = []
    }

    struct Checked: Codable {
        var address_ok: Bool
        var signature_ok: Bool
        var recovered_ok: Bool
        var detail: String
    }

    struct Response: Codable {
        var checked: [Checked]
        var made: [Case]
    }

    func ask(_ request: Request) throws -> Response {
        let output = try Oracle.python(
            [Oracle.directory + "/eth_account_oracle.py"], stdin: try JSONEncoder().encode(request),
            modules: ["eth_account"])
        return try JSONDecoder().decode(Response.self, from: Data(output.utf8))
    }

    @Test func oursAgreeWithEthAccount() throws {
        var generator = SeededGenerator(seed: SeededGenerator.configuredSeed)
        let cases = (0..<128).map { index -> Case in
            let key = PrivateKey.random()
            let length = [0, 1, 31, 32, 33, 1000][index % 6] + (index < 6 ? 0 : Int.random(in: 0..<200, using: &generator))
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            return Case(
                key: key.hexString, message: Hex.encode(message, prefix: true), address: key.address.checksummed,
                signature: key.signPersonalMessage(message).hexString)
        }
        let response = try ask(Request(check: cases, make: 0))
        #expect(response.checked.count == cases.count)
        for (ours, theirs) in zip(cases, response.checked) {
            #expect(theirs.address_ok, "address of \(ours.key): ours \(ours.address); \(theirs.detail)")
            #expect(theirs.signature_ok, "signature of \(ours.message) by \(ours.key): ours \(ours.signature); \(theirs.detail)")
            #expect(theirs.recovered_ok, "eth-account did not recover \(ours.address) from our signature; \(theirs.detail)")
        }
    }

    @Test func ethAccountSignaturesVerifyWithOurs() throws {
        let response = try ask(Request(check: [], make: 128))
        #expect(response.made.count == 128)
        for theirs in response.made {
            let key = try PrivateKey(hex: theirs.key)
            let message = try #require(Hex.decode(theirs.message))
            let signature = try RecoverableSignature(hex: theirs.signature)
            #expect(key.address.checksummed == theirs.address)
            #expect(try signature.recoverPersonalMessageSigner(message) == EthereumAddress(theirs.address))
            try signature.verifyPersonalMessage(message, signer: EthereumAddress(theirs.address))
            #expect(key.signPersonalMessage(message).hexString == theirs.signature)
        }
    }

    @Test func commandLineAgreesWithEthAccount() throws {
        let texts = ["hi", "", "Message with spaces, commas and \"quotes\"", "émoji 🐸 and 中文", "line\nbreak"]
        var cases: [Case] = []
        for text in texts {
            let key = PrivateKey.random()
            let address = try Oracle.lilypad(["key", "address", "--private-key", key.hexString])
            let signed = try Oracle.lilypad(["key", "sign", "--message", text], environment: ["WEB3_PRIVATE_KEY": key.hexString])
            #expect(address.status == 0 && signed.status == 0, "\(address.stderr) \(signed.stderr)")
            cases.append(
                Case(
                    key: key.hexString, message: Hex.encode(Array(text.utf8), prefix: true),
                    address: address.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                    signature: signed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let response = try ask(Request(check: cases, make: 0, texts: texts))
        for (ours, theirs) in zip(cases, response.checked) {
            #expect(theirs.address_ok && theirs.signature_ok && theirs.recovered_ok, "\(ours) vs \(theirs.detail)")
        }
        #expect(response.made.count == texts.count)
        for (text, theirs) in zip(texts, response.made) {
            let verified = try Oracle.lilypad(["key", "verify", "--address", theirs.address, "--message", text, "--signature", theirs.signature])
            #expect(verified.status == 0, "eth-account's signature of \(text.debugDescription) was refused: \(verified.stderr)")
            let tampered = try Oracle.lilypad([
                "key", "verify", "--address", theirs.address, "--message", text + "!", "--signature", theirs.signature,
            ])
            #expect(tampered.status == 1 && tampered.stderr.contains("signature mismatch"))
        }
    }

    @Test func acceptanceVector() throws {
        let output = try Oracle.lilypad(["key", "address", "--private-key", "0x4c0883a69102937d6231471b5dbb6204fe512961708279df95b4a2200eb6b5e7"])
        #expect(output.stdout == "0xA127A616aabFc69C83203e7450F205aab6708C7b\n")
    }
}
