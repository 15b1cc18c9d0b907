import ArgumentParser
import LilypadCrypto
import LilypadLedger

extension LilypadCommand.Wallet {
    /// `lilypad wallet balance [ADDRESS]`.
    struct Balance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an account's balance and escrow (default: your own).")

        @Argument(help: "An address (default: the address of your key).")
        var address: String?

        @OptionGroup var key: PrivateKeyOptions
        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let account = try address.map { try EthereumAddress($0) } ?? key.load().address
            let info = try await ledger.client.account(account)
            print("Account: \(info.address)")
            print("Balance: \(info.balance.lpDescription)")
            print("Escrow:  \(info.escrow.lpDescription)")
        }
    }

    /// `lilypad wallet deposit AMOUNT`.
    struct Deposit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move LP from your balance into escrow.")

        @Argument(help: "Amount in LP.") var amount: String
        @OptionGroup var key: PrivateKeyOptions
        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let value = try parseLP(amount)
            try await sendAndReport(
                .deposit(amount: value), key: try key.load(), ledger: ledger, summary: "Deposited \(value.lpDescription) into escrow")
        }
    }

    /// `lilypad wallet withdraw AMOUNT`.
    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move free escrow back to your balance.")

        @Argument(help: "Amount in LP.") var amount: String
        @OptionGroup var key: PrivateKeyOptions
        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let value = try parseLP(amount)
            try await sendAndReport(
                .withdraw(amount: value), key: try key.load(), ledger: ledger, summary: "Withdrew \(value.lpDescription) from escrow")
        }
    }

    /// `lilypad wallet transfer TO AMOUNT`.
    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send LP from your balance to another account.")

        @Argument(help: "The recipient's address.") var to: String
        @Argument(help: "Amount in LP.") var amount: String
        @OptionGroup var key: PrivateKeyOptions
        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let recipient = try EthereumAddress(to)
            let value = try parseLP(amount)
            try await sendAndReport(
                .transfer(to: recipient, amount: value), key: try key.load(), ledger: ledger,
                summary: "Sent \(value.lpDescription) to \(recipient)")
        }
    }

    /// `lilypad wallet faucet [--amount LP]`.
    struct Faucet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Get free LP on a development network.")

        @Option(help: "Amount in LP.") var amount = "1000"
        @OptionGroup var key: PrivateKeyOptions
        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let value = try parseLP(amount)
            let account = try key.load()
            try await sendAndReport(
                .mint(to: account.address, amount: value), key: account, ledger: ledger,
                summary: "Received \(value.lpDescription) from the development faucet")
        }
    }
}
