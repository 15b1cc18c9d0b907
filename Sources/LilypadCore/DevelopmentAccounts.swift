import LilypadCrypto

/// The well-known development keys of Lilypad's local networks (Hardhat's default accounts).
/// Anyone can use them: never send them real value.
public enum DevelopmentAccounts {
    /// One development account.
    public struct Account: Sendable {
        public var role: String
        public var privateKey: String
        public var address: String
    }

    /// The protocol/admin account (Hardhat #0): receives slashed collateral, opens PoW rounds.
    public static let admin = Account(
        role: "admin", privateKey: "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    /// Lilypad's dev solver (Hardhat #2).
    public static let solver = Account(
        role: "solver", privateKey: "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        address: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")
    /// Lilypad's dev mediator (Hardhat #3).
    public static let mediator = Account(
        role: "mediator", privateKey: "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906")
    /// Lilypad's dev resource provider (Hardhat #4).
    public static let resourceProvider = Account(
        role: "resource-provider", privateKey: "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
        address: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65")
    /// Lilypad's dev job creator (Hardhat #5).
    public static let jobCreator = Account(
        role: "job-creator", privateKey: "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
        address: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc")

    public static let all = [admin, solver, mediator, resourceProvider, jobCreator]
}
