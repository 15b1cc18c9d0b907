import Foundation

/// Creates a new module project the way `create-lilypad-module` does: a template, an image
/// recipe, an inference script, a model download script, helper scripts and a README.
public enum ModuleScaffold {
    /// The files of a new module called `name`, by relative path.
    public static func files(name: String) -> [(path: String, contents: String)] {
        [
            ("lilypad_module.json.tmpl", template(name: name)),
            ("Dockerfile", dockerfile),
            ("requirements.txt", "# Python packages your module needs, one per line.\n"),
            ("src/run_inference.py", runInference),
            ("scripts/download_models.py", downloadModels),
            ("scripts/run_module.py", runModule(name: name)),
            ("config/constants.py", constants(name: name)),
            ("README.md", readme(name: name)),
            (".gitignore", "__pycache__/\n.env\nmodels/\noutputs/\n"),
            (".dockerignore", "*\n!src\n!requirements.txt\n!models\n"),
            (".env", "# Local settings for scripts/ (never committed).\nWEB3_PRIVATE_KEY=\n"),
        ]
    }

    /// A module name: lower-case letters, digits, `-` and `_`, starting with a letter.
    public static func validate(name: String) throws(ModuleError) {
        guard let first = name.first, first.isASCII, first.isLowercase,
            name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }), name.count <= 64
        else {
            throw .notAModuleDirectory(name, reason: "a module name has lower-case letters, digits, '-' and '_', and starts with a letter")
        }
    }

    /// Writes the project into `directory/name`, which must not exist or be empty.
    public static func create(name: String, in directory: String) throws(ModuleError) -> String {
        try validate(name: name)
        let root = directory + "/" + name
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: root), !existing.isEmpty {
            throw .notAModuleDirectory(root, reason: "it already exists and is not empty; choose another name")
        }
        for (path, contents) in files(name: name) {
            let target = root + "/" + path
            do {
                try FileManager.default.createDirectory(
                    atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(contents.utf8).write(to: URL(fileURLWithPath: target))
                if path.hasPrefix("scripts/") {
                    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target)
                }
            } catch {
                throw .notAModuleDirectory(root, reason: "cannot write \(path): \(error.localizedDescription)")
            }
        }
        return root
    }

    static func template(name: String) -> String {
        """
        {
          "machine": {
            "gpu": 0,
            "cpu": 1000,
            "ram": 2048
          },
          "executionTimeoutSeconds": 600,
          "job": {
            "APIVersion": "V1beta1",
            "Spec": {
              "Deal": {
                "Concurrency": 1
              },
              "Docker": {
                "Image": "\(name):latest",
                "Entrypoint": [
                  "python", "/workspace/run_inference.py",
                  {{ if .input }}{{ .input }}{{ else }}"Hello from \(name)"{{ end }}
                ],
                "EnvironmentVariables": [
                  "OUTPUT_DIR=/outputs"
                ]
              },
              "Engine": "Docker",
              "Network": {
                "Type": "None"
              },
              "Outputs": [
                {
                  "Name": "outputs",
                  "Path": "/outputs"
                }
              ],
              "PublisherSpec": {
                "Type": "IPFS"
              },
              "Resources": {
                "GPU": ""
              },
              "Timeout": 600
            }
          }
        }

        """
    }

    static let dockerfile = """
        # The image your module runs. Everything the job needs must be inside it: jobs have no network.
        FROM python:3.11-slim

        WORKDIR /workspace
        COPY requirements.txt .
        RUN pip install --no-cache-dir -r requirements.txt
        # Models downloaded by scripts/download_models.py into ./models are baked into the image.
        COPY models/ /models/
        COPY src/ /workspace/

        ENTRYPOINT ["python", "/workspace/run_inference.py"]

        """

    static let runInference = """
        \"\"\"The module's entry point: reads its input, writes results to $OUTPUT_DIR.\"\"\"
        import json
        import os
        import sys


        def main() -> None:
            text = sys.argv[1] if len(sys.argv) > 1 else ""
            output_dir = os.environ.get("OUTPUT_DIR", "/outputs")
            os.makedirs(output_dir, exist_ok=True)
            result = {"input": text, "output": text[::-1]}
            with open(os.path.join(output_dir, "result.json"), "w", encoding="utf-8") as handle:
                json.dump(result, handle, ensure_ascii=False)
            print(result["output"])


        if __name__ == "__main__":
            main()

        """

    static let downloadModels = """
        #!/usr/bin/env python3
        \"\"\"Downloads the model files your module needs into ./models, so the image carries them
        (jobs run without network). Replace the example with your model's files.\"\"\"
        import os

        MODELS_DIR = os.path.join(os.path.dirname(__file__), "..", "models")


        def main() -> None:
            os.makedirs(MODELS_DIR, exist_ok=True)
            # e.g. huggingface_hub.snapshot_download("org/model", local_dir=MODELS_DIR)
            print(f"Models go in {os.path.abspath(MODELS_DIR)}")


        if __name__ == "__main__":
            main()

        """

    static func runModule(name: String) -> String {
        """
        #!/usr/bin/env python3
        \"\"\"Runs the module: locally from this folder, or on the network at TARGET_COMMIT.\"\"\"
        import subprocess
        import sys

        sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), ".."))
        from config.constants import MODULE_REPO, TARGET_COMMIT  # noqa: E402


        def main() -> None:
            text = sys.argv[1] if len(sys.argv) > 1 else "Hello from \(name)"
            if "--local" in sys.argv:
                command = ["lilypad", "module", "run", "--local", ".", "-i", f"input={text}"]
            else:
                command = ["lilypad", "run", f"{MODULE_REPO}:{TARGET_COMMIT}", "-i", f"input={text}"]
            sys.exit(subprocess.call(command))


        if __name__ == "__main__":
            main()

        """
    }

    static func constants(name: String) -> String {
        """
        # Where the module's image and repository live. Update them before publishing.
        DOCKER_REPO = "\(name)"
        DOCKER_TAG = "latest"
        MODULE_REPO = "github.com/<your-github-user>/\(name)"
        TARGET_COMMIT = "main"

        """
    }

    static func readme(name: String) -> String {
        """
        # \(name)

        A Lilypad module. It takes one input, `input`, and writes `/outputs/result.json`.

        ## Develop

            lilypad module validate .                    # the template renders to a valid job spec
            lilypad module render . -i input="hello"     # see the job spec a job creator would send
            python scripts/download_models.py            # fetch model files into ./models
            lilypad module run --local . -i input="hello"

        ## Publish

        Push the image (`\(name):latest` in `lilypad_module.json.tmpl`; use a registry name others can
        pull), push this repository, tag a release (`git tag v0.1.0`), then anyone can run:

            lilypad run github.com/<your-github-user>/\(name):v0.1.0 -i input="hello"

        Inputs are JSON-encoded before the template sees them, so `{{ .input }}` is a complete JSON
        string: put it where a string goes, without quotes of your own. Quotes, newlines and
        template syntax in an input cannot break or change the job spec.

        """
    }
}
