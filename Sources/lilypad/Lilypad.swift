import LilypadCLI
import LilypadCore

/// The `lilypad` executable: all commands live in the LilypadCLI library.
@main
enum Lilypad {
    static func main() async {
        TerminationSignals.unblock()
        await LilypadCommand.main()
    }
}
