/// Parses `-i key=value` inputs.
///
/// Each flag is one input: the key is everything before the first `=`, the value everything after
/// it, commas and further `=` included (Lilypad v2 split flag values on commas, so
/// `-i Prompt="a, b"` failed). A later duplicate key replaces an earlier one.
public enum ModuleInputs {
    public static func parse(_ flags: [String]) throws(ModuleError) -> [String: String] {
        var inputs: [String: String] = [:]
        for flag in flags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else { throw .malformedInput(flag) }
            let key = String(flag[..<equals])
            // Any key a template can reach (`.Key`, or `index . "odd-key"`); white space is surely a mistake.
            guard !key.contains(where: \.isWhitespace) else {
                throw .malformedInput(flag)
            }
            inputs[key] = String(flag[flag.index(after: equals)...])
        }
        return inputs
    }
}
