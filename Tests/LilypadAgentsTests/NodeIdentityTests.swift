import Foundation
import LilypadCore
import LilypadCrypto
import LilypadTestSupport
import Testing

@testable import LilypadAgents

@Suite struct NodeIdentityTests {
    @Test func createdOnceThenKeptPerAccount() throws {
        let home = try TemporaryDirectory(prefix: "node-id")
        let lilypad = LilypadHome(path: home.path)
        let (first, second) = (PrivateKey.random().address, PrivateKey.random().address)
        let id = try NodeIdentity.load(home: lilypad, account: first)
        #expect(NodeIdentity.isValid(id) && id.hasPrefix("n-"))
        #expect(try NodeIdentity.load(home: lilypad, account: first) == id)
        #expect(try NodeIdentity.load(home: lilypad, account: second) != id)
    }

    @Test func aDamagedFileIsReportedNotReplaced() throws {
        let home = try TemporaryDirectory(prefix: "node-id")
        let account = PrivateKey.random().address
        let path = home.path + "/resource-provider/node-id-" + account.lowercased
        try FileManager.default.createDirectory(atPath: home.path + "/resource-provider", withIntermediateDirectories: true)
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try NodeIdentity.load(home: LilypadHome(path: home.path), account: account)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("delete it")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "garbage")
    }
}
