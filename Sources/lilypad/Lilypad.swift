import LilypadCLI

/// The `lilypad` executable: all commands live in the LilypadCLI library.
@main
enum Lilypad {
    static func main() async {
        unblockTerminationSignals()
        await LilypadCommand.main()
    }
}
