import Foundation
import LilypadCore
import LilypadCrypto
import LilypadLedger
import LilypadLedgerService
import LilypadSolverService

/// Ledger steps every party shares: escrow top-ups, consent to a deal's terms, and the agreement.
///
/// A deal reaches the ledger without the solver holding anyone's money or keys: each party
/// derives the same ``DealTerms`` from the deal, signs them, and records the signature as its
/// `agree` transaction on the solver; whichever party sees both signatures submits `agree`.
///
/// An actor: a party's transactions are sent one at a time, so concurrent deals never race for
/// the same nonce (a nonce taken by another process with the same key is retried).
public actor Settlement {
    public let ledger: LedgerClient
    public let key: PrivateKey

    public init(ledger: LedgerClient, key: PrivateKey) {
        self.ledger = ledger
        self.key = key
    }

    /// Why a ledger step failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Deposits into escrow so that at least `amount` is free there; when it must deposit, it tops
    /// escrow up to `target` if the balance allows (fewer deposits for a party running many jobs).
    public func ensureEscrow(_ amount: UInt256, target: UInt256? = nil) async throws(Failure) {
        do {
            let account = try await ledger.account(key.address)
            guard account.escrow < amount, let missing = amount.subtracting(account.escrow) else { return }
            guard account.balance >= missing else {
                throw Failure(
                    "\(key.address.checksummed) needs \(missing.lpDescription) more in escrow but holds only \(account.balance.lpDescription); fund the account (on a development network: `lilypad wallet faucet`)"
                )
            }
            var deposit = missing
            if let target, let wanted = target.subtracting(account.escrow), wanted > missing {
                deposit = min(wanted, account.balance)
            }
            _ = try await send(.deposit(amount: deposit))
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("cannot fund escrow: \(error)")
        }
    }

    /// This party's consent signature to the deal's ledger terms.
    public func consent(to terms: DealTerms) async throws(Failure) -> String {
        let chainID: UInt64
        do { chainID = try await knownChainID() } catch { throw Failure("cannot read the ledger's chain: \(error)") }
        return key.signPersonalMessage(Array(terms.consentMessage(chainID: chainID).utf8)).hexString
    }

    /// The ledger's chain ID, read once (a ledger keeps its chain).
    private var chainID: UInt64?

    private func knownChainID() async throws(LedgerClient.Failure) -> UInt64 {
        if let chainID { return chainID }
        let read = try await ledger.chain().chainID
        chainID = read
        return read
    }

    /// Submits the agreement if both consents are on the deal; true once the deal is agreed on the ledger.
    public func agreeIfReady(_ deal: DealContainer) async throws(Failure) -> Bool {
        if (try? await ledger.deal(deal.id)) != nil { return true }
        let jobCreator = deal.transactions.jobCreator.agree, provider = deal.transactions.resourceProvider.agree
        guard !jobCreator.isEmpty, !provider.isEmpty else { return false }
        let terms: DealTerms
        do { terms = try DealTerms(deal: deal.deal) } catch { throw Failure(error.description) }
        do {
            _ = try await send(.agree(terms: terms, jobCreatorConsent: jobCreator, resourceProviderConsent: provider), patience: 5)
            return true
        } catch {
            // The other party may have submitted it at the same moment.
            if (try? await ledger.deal(deal.id)) != nil { return true }
            throw Failure("the ledger refused the deal's agreement: \(error)")
        }
    }

    /// Sends `action`. A refusal because it is too early (the ledger's clock and the solver's differ
    /// by up to a block) is retried each second for up to `patience` seconds; a nonce taken by a
    /// concurrent transaction of the same key is retried at once.
    public func send(_ action: LedgerAction, patience: Int = 30) async throws(Failure) -> LedgerAPI.Accepted {
        var waited = 0
        var nonceRetries = 0
        while true {
            do throws(LedgerClient.Failure) {
                return try await ledger.send(action, key: key, chainID: try await knownChainID())
            } catch {
                if case .refused(_, let body) = error {
                    if body.code == "wrong_nonce", nonceRetries < 20 {
                        nonceRetries += 1
                        continue
                    }
                    if body.code == "too_early", waited < patience {
                        try? await Task.sleep(for: .seconds(1))
                        waited += 1
                        continue
                    }
                }
                throw Failure("the ledger refused \(action.name): \(error)")
            }
        }
    }
}
