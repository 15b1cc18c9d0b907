import ArgumentParser
import LilypadCrypto

extension LilypadCommand {
    /// `lilypad cid PATH`.
    struct CIDCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cid",
            abstract: "Print the IPFS CID of a file or folder.",
            discussion: """
                Prints what `ipfs add -r -Q --only-hash PATH` prints with kubo's defaults (CIDv0, 256 KiB chunks, \
                balanced layout). Like kubo, entries whose names start with "." are left out unless --hidden is given, \
                and symbolic links are added as links, not followed.
                """
        )

        @Argument(help: "A file or folder.")
        var path: String

        @Flag(help: "Include files and folders whose names start with a dot.")
        var hidden = false

        func run() throws {
            print(try UnixFS.add(path: path, options: UnixFS.AddOptions(includeHidden: hidden)).cid)
        }
    }
}
