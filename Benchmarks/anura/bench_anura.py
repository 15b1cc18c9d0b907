"""Time to first token and decode rate of SmolLM2-135M-Instruct through Anura (a job on the
network per request) versus the same model server called directly, both with the openai SDK.

Usage: python3 bench_anura.py ANURA_BASE_URL API_KEY DIRECT_BASE_URL [RUNS]
"""
import json, statistics, sys, time

from openai import OpenAI

anura_url, key, direct_url = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
prompts = ["Write a short poem about frogs number %d." % i for i in range(runs + 1)]


def measure(client, prompt):
    start = time.perf_counter()
    first, last, pieces = None, None, 0
    stream = client.chat.completions.create(
        model="smollm2-135m-instruct", messages=[{"role": "user", "content": prompt}], max_tokens=64, temperature=0, seed=1, stream=True)
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            now = time.perf_counter()
            first = first or now
            last = now
            pieces += 1
    rate = (pieces - 1) / (last - first) if pieces > 1 and last > first else float("nan")
    return first - start, rate, pieces


results = {}
for name, url, api_key in (("direct", direct_url, "none"), ("anura", anura_url, key)):
    client = OpenAI(base_url=url, api_key=api_key, max_retries=0, timeout=300)
    measure(client, "warm up")  # model load / first-job image build are not what is compared
    samples = [measure(client, prompt) for prompt in prompts[:runs]]
    ttft = statistics.median(s[0] for s in samples)
    rate = statistics.median(s[1] for s in samples)
    results[name] = {"ttft_ms": round(ttft * 1000, 1), "tokens_per_s": round(rate, 1), "deltas": [s[2] for s in samples]}
    print("%-6s TTFT median %7.1f ms   decode %5.1f tokens/s   (%d runs, deltas %s)" % (name, ttft * 1000, rate, runs, results[name]["deltas"]))
overhead = results["anura"]["ttft_ms"] - results["direct"]["ttft_ms"]
ratio = results["anura"]["tokens_per_s"] / results["direct"]["tokens_per_s"]
print("TTFT overhead %.1f ms (goal <= 50 ms); decode rate %.1f %% of direct (goal >= 95 %%)" % (overhead, ratio * 100))
print(json.dumps(results))
