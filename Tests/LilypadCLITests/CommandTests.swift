import ArgumentParser
import Foundation
import LilypadCrypto
import Testing

@testable import LilypadCLI

@Suite("Command line")
struct CommandTests {
    @Test func privateKeyComesFromFlagThenEnvironment() throws {
        let flag = try PrivateKeyOptions.parse(["--private-key", "0x4c0883a69102937d6231471b5dbb6204fe512961708279df95b4a2200eb6b5e7"])
        #expect(try flag.load(environment: [:]).address.checksummed == "0xA127A616aabFc69C83203e7450F205aab6708C7b")
        let environment = try PrivateKeyOptions.parse([])
        let key = try environment.load(environment: ["WEB3_PRIVATE_KEY": "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"])
        #expect(key.address.checksummed == "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")
        #expect(throws: CryptoError.missingPrivateKey(environmentVariable: "WEB3_PRIVATE_KEY")) { try environment.load(environment: [:]) }
    }

    @Test func subcommandsParse() throws {
        #expect(try LilypadCommand.parseAsRoot(["key", "sign", "--message", "hi"]) is LilypadCommand.Key.Sign)
        #expect(
            try LilypadCommand.parseAsRoot(["key", "verify", "--address", "0x0", "--message", "m", "--signature", "s"]) is LilypadCommand.Key.Verify)
        #expect(try LilypadCommand.parseAsRoot(["cid", "--hidden", "/tmp"]) is LilypadCommand.CIDCommand)
        #expect(throws: (any Error).self) { try LilypadCommand.parseAsRoot(["key", "sign"]) }  // --message is required
        #expect(throws: (any Error).self) { try LilypadCommand.parseAsRoot(["id", "--repo", "x"]) }  // --hash goes with --repo
    }

    @Test(arguments: [
        (#"{"members":{},"id":""}"#, LilypadCommand.IDCommand.Kind.deal),
        (#"{"job_creator":"0x","module":{}}"#, .jobOffer),
        (#"{"resource_provider":"0x","index":0}"#, .resourceOffer),
        (#"{"repo":"r","hash":"h"}"#, .module),
    ])
    func idRecognisesObjects(json: String, kind: LilypadCommand.IDCommand.Kind) throws {
        #expect(try LilypadCommand.IDCommand.recognise(Data(json.utf8)) == kind)
    }

    @Test func idRefusesUnknownObjects() {
        #expect(throws: (any Error).self) { try LilypadCommand.IDCommand.recognise(Data(#"{"x":1}"#.utf8)) }
    }
}
