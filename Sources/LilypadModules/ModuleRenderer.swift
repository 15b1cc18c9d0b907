import Foundation
import LilypadTemplate

/// Renders module templates into validated job specs.
///
/// Inputs are JSON-encoded before the template sees them, exactly as Lilypad v2 does, so existing
/// templates render byte for byte as there for ordinary inputs. Lilypad's `subst` and `js` are
/// hardened so that no input — quotes, backslashes, apostrophes, newlines, template syntax — can
/// break the JSON or change its structure (see ``LilypadRendering/renderSafely(template:name:inputs:)``).
public enum ModuleRenderer {
    /// The rendered text and the validated spec.
    public struct Rendered: Sendable {
        public var text: String
        public var spec: ModuleSpec
    }

    /// Renders `module` with `inputs` and validates the result.
    public static func render(_ module: LoadedModule, inputs: [String: String]) throws(ModuleError) -> Rendered {
        try render(template: module.template, name: "\(module.reference)", inputs: inputs)
    }

    /// Renders template text with `inputs` and validates the result.
    public static func render(template: String, name: String, inputs: [String: String]) throws(ModuleError) -> Rendered {
        let text: String
        do {
            text = try LilypadRendering.renderSafely(template: template, name: name, inputs: inputs)
        } catch {
            throw .render("cannot render \(name): \(error)")
        }
        return Rendered(text: text, spec: try ModuleSpec(json: Data(text.utf8)))
    }

    /// The input names a template reads (`.Name` fields), for documentation and validation.
    public static func inputNames(in template: String) -> [String] {
        var names = Set<String>()
        var index = template.startIndex
        while let open = template[index...].range(of: "{{") {
            guard let close = template[open.upperBound...].range(of: "}}") else { break }
            let action = template[open.upperBound..<close.lowerBound]
            var cursor = action.startIndex
            while let dot = action[cursor...].firstIndex(of: ".") {
                let before = dot > action.startIndex ? action[action.index(before: dot)] : " "
                let rest = action[action.index(after: dot)...]
                let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                if !name.isEmpty, let first = name.first, !first.isNumber, !(before.isLetter || before.isNumber || before == "$" || before == ")") {
                    names.insert(String(name))
                }
                cursor = action.index(after: dot)
            }
            index = close.upperBound
        }
        return names.sorted()
    }
}
