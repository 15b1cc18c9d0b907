import Testing

@testable import LilypadModules

@Suite("Module references")
struct ModuleReferenceTests {
    @Test(arguments: [
        ("cowsay:v0.0.4", ModuleReference.named(name: "cowsay", ref: "v0.0.4")),
        ("lilysay:main", .named(name: "lilysay", ref: "main")),
        (
            "github.com/DevlinRocha/lilypad-module-sentiment:main",
            .repository(url: "https://github.com/DevlinRocha/lilypad-module-sentiment", ref: "main")
        ),
        ("https://git.example.com/team/mod.git:9f2c1e", .repository(url: "https://git.example.com/team/mod.git", ref: "9f2c1e")),
        ("file:///srv/git/mod.git:v1", .repository(url: "file:///srv/git/mod.git", ref: "v1")),
        ("ssh://git@host:2222/x/y.git:dev", .repository(url: "ssh://git@host:2222/x/y.git", ref: "dev")),
        ("./my-module", .localDirectory(path: "./my-module")),
        ("/abs/module", .localDirectory(path: "/abs/module")),
        ("  cowsay:v1 \n", .named(name: "cowsay", ref: "v1")),
    ])
    func parses(text: String, expected: ModuleReference) throws {
        #expect(try ModuleReference(parsing: text) == expected)
    }

    @Test(arguments: [
        ("cowsay", "it needs a version: write cowsay:<tag, branch or commit>"),
        ("cowsay:", "the version after the colon is empty"),
        (":v1", "the module name before the colon is empty"),
        ("a:b:c", "it has 2 colons"),
        ("github.com/owner:main", "a repository is host/owner/repo"),
        ("cow say:v1", "a module name has only letters"),
        ("cowsay:v 1", "is not a valid tag"),
        ("cowsay:--upload-pack=x", "is not a valid tag"),
        ("https://github.com/a/b", "a git URL needs a version"),
        ("", "it is empty"),
    ])
    func explainsMalformedReferences(text: String, fragment: String) {
        let error = #expect(throws: ModuleError.self) { try ModuleReference(parsing: text) }
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
        #expect(error?.description.contains("MODULE_REPO") == false)
    }

    @Test func registryResolvesShortNames() {
        #expect(ModuleRegistry.lilypad.url(for: "cowsay") == "https://github.com/Lilypad-Tech/lilypad-module-cowsay")
        let local = ModuleRegistry.lilypad.overriding(["cowsay": "file:///x/cowsay.git"])
        #expect(local.url(for: "cowsay") == "file:///x/cowsay.git")
        #expect(local.url(for: "sdxl") == "https://github.com/Lilypad-Tech/lilypad-module-sdxl")
    }

    @Test func versionOrderIsNumeric() {
        #expect(["v0.0.10", "v0.0.2", "v0.0.9", "v0.1.0"].sorted(by: VersionOrder.precedes) == ["v0.0.2", "v0.0.9", "v0.0.10", "v0.1.0"])
    }
}

@Suite("Module inputs")
struct ModuleInputsTests {
    @Test func valuesKeepCommasAndEquals() throws {
        #expect(try ModuleInputs.parse(["Prompt=a, b", "Eq=x=y", "Empty=", "Prompt=c"]) == ["Prompt": "c", "Eq": "x=y", "Empty": ""])
    }

    @Test(arguments: ["novalue", "=x", "bad key=1", " k=1"])
    func malformedInputs(flag: String) {
        let error = #expect(throws: ModuleError.malformedInput(flag)) { try ModuleInputs.parse([flag]) }
        #expect(error?.description.contains("key=value") == true)
    }
}
