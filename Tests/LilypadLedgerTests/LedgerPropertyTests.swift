import LilypadCrypto
import LilypadTestSupport
import Testing

@testable import LilypadLedger

@Suite("Ledger properties")
struct LedgerPropertyTests {
    /// Random sequences of valid and invalid transactions: supply never changes (minting aside),
    /// balances never go below zero (a refusal instead), refused transactions change nothing.
    @Test(arguments: [1, 2, 3, 4])
    func randomSequencesConserveSupply(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var ledger = try LedgerHarness()
        let keys = [ledger.jobCreator, ledger.provider, ledger.mediator, ledger.solver]
        var dealIDs: [String] = []
        var accepted = 0, refused = 0
        for step in 0..<600 {
            let supplyBefore = ledger.state.totalSupply
            let snapshot = ledger.state
            let signer = keys.randomElement(using: &random) ?? ledger.jobCreator
            let deal = dealIDs.randomElement(using: &random) ?? "QmNone"
            let amount = UInt256.lp(UInt64.random(in: 0...150, using: &random))
            let action: LedgerAction
            switch Int.random(in: 0..<12, using: &random) {
            case 0: action = .transfer(to: keys.randomElement(using: &random)?.address ?? .zero, amount: amount)
            case 1: action = .deposit(amount: amount)
            case 2: action = .withdraw(amount: amount)
            case 3:
                let id = "QmDeal\(step)"
                dealIDs.append(id)
                do { try ledger.agree(ledger.terms(dealID: id)); accepted += 1 } catch { refused += 1; #expect(ledger.state == snapshot) }
                #expect(ledger.supplyIsConserved())
                continue
            case 4: action = .addResult(dealID: deal, resultsID: "r", dataID: "d", instructionCount: UInt64.random(in: 0...4, using: &random))
            case 5: action = .acceptResult(dealID: deal)
            case 6: action = .checkResult(dealID: deal)
            case 7: action = .mediationAcceptResult(dealID: deal)
            case 8: action = .mediationRejectResult(dealID: deal)
            case 9: action = .timeoutSubmitResults(dealID: deal)
            case 10: action = .timeoutJudgeResults(dealID: deal)
            default: action = .timeoutMediateResults(dealID: deal)
            }
            ledger.now += UInt64.random(in: 0...25, using: &random)
            do {
                try ledger.send(signer, action)
                accepted += 1
            } catch {
                refused += 1
                #expect(ledger.state == snapshot, "a refused \(action.name) changed the state: \(error)")
                #expect(!error.description.isEmpty)
            }
            #expect(ledger.state.totalSupply == supplyBefore)
            #expect(ledger.supplyIsConserved(), "step \(step): \(action.name)")
        }
        #expect(accepted > 50 && refused > 50, "the sequence exercised both paths (\(accepted) accepted, \(refused) refused)")
    }
}
