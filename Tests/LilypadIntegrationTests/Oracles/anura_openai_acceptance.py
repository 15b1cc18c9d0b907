"""Anura acceptance with the official `openai` Python SDK against a running gateway.

Usage: python3 anura_openai_acceptance.py BASE_URL API_KEY RATE_LIMITED_KEY
Prints one JSON object with what it measured; exits non-zero with the failing check on stderr.
"""
import concurrent.futures, io, json, struct, sys, time, wave

import urllib.error, urllib.request
import openai
from openai import OpenAI

base, key, limited_key = sys.argv[1], sys.argv[2], sys.argv[3]
client = OpenAI(base_url=base, api_key=key, max_retries=0, timeout=300)
report = {}


def check(condition, what):
    if not condition:
        print("FAILED: " + what, file=sys.stderr)
        sys.exit(1)


CHAT, EMBED, TTS, GEMMA = "smollm2-135m-instruct", "multilingual-e5-small", "hibari-tts", "gemma-3-270m"

# models.list: exactly what the provider offers.
ids = sorted(m.id for m in client.models.list().data)
report["models"] = ids
check({CHAT, EMBED, TTS, GEMMA} <= set(ids), "models.list lists the offered models: %s" % ids)

# Chat, non-stream.
answer = client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Say hello in one short sentence."}], max_tokens=30)
check(answer.choices[0].message.content.strip() != "", "non-stream chat has content")
check(answer.usage.completion_tokens > 0 and answer.usage.prompt_tokens > 0, "non-stream chat has usage")
check(answer.id.startswith("jobId-"), "the completion id names the job: %s" % answer.id)
report["chat"] = answer.choices[0].message.content

# Chat, stream: job-state chunks first, then content in several deltas.
stream = client.chat.completions.create(
    model=CHAT, messages=[{"role": "user", "content": "Count from one to five in words."}], max_tokens=40, stream=True)
states, deltas, order = [], [], []
for chunk in stream:
    if chunk.id.startswith("jobId-"):
        states.append(chunk.id.rsplit("-jobState-", 1)[-1])
        order.append(states[-1])
    for choice in chunk.choices:
        if choice.delta.content:
            deltas.append(choice.delta.content)
            order.append("token")
check(len(deltas) >= 3, "stream content arrives in several deltas: %r" % deltas)
check(states and states[0] == "DealNegotiating", "job-state chunks come first: %s" % states)
# Live: the tokens arrive while the job runs, before the provider uploads its results.
check("ResultsSubmitted" in order and order.index("token") < order.index("ResultsSubmitted"), "tokens stream live: %s" % order)
report["stream_states"], report["stream_deltas"] = states, len(deltas)

# A client that goes away mid-stream: the provider is told to stop the job (the model stays
# loaded), and the deal settles with what was generated (checked by the caller in the logs).
stream = client.chat.completions.create(
    model=CHAT, messages=[{"role": "user", "content": "Write a very long story about a frog who travels the world."}],
    max_tokens=2000, stream=True)
received = 0
for chunk in stream:
    received += sum(1 for choice in chunk.choices if choice.delta.content)
    if received >= 3:
        break
stream.close()
report["deltas_before_disconnect"] = received
time.sleep(2)  # lets the stop reach the provider before the next request wants the model

# Multi-turn.
turns = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "My name is Ada."},
    {"role": "assistant", "content": "Nice to meet you, Ada!"},
    {"role": "user", "content": "What is my name?"},
]
multi = client.chat.completions.create(model=CHAT, messages=turns, max_tokens=30)
check(multi.usage.prompt_tokens > 30, "the whole conversation reaches the model (prompt tokens %d)" % multi.usage.prompt_tokens)
report["multi_turn"] = multi.choices[0].message.content

# A forced tool call.
tools = [{"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
called = client.chat.completions.create(
    model=CHAT, messages=[{"role": "user", "content": "What is the weather in Paris?"}], tools=tools,
    tool_choice={"type": "function", "function": {"name": "get_weather"}})
calls = called.choices[0].message.tool_calls or []
check(called.choices[0].finish_reason == "tool_calls" and len(calls) == 1, "a forced tool call: %s" % called)
check(calls[0].function.name == "get_weather" and isinstance(json.loads(calls[0].function.arguments).get("city"), str),
      "tool arguments follow the schema: %s" % calls[0].function.arguments)
report["tool_call"] = calls[0].function.arguments

# Embeddings: one and several inputs.
one = client.embeddings.create(model=EMBED, input="a man eating food")
texts = ["a man eating food", "a man eating a piece of bread", "a girl carrying a baby"]
many = client.embeddings.create(model=EMBED, input=texts)
dims = {len(one.data[0].embedding)} | {len(d.embedding) for d in many.data}
check(len(many.data) == 3 and len(dims) == 1, "consistent dimensions: %s" % dims)
check([d.index for d in many.data] == [0, 1, 2], "indices in order")
def cos(a, b):
    return sum(x * y for x, y in zip(a, b)) / ((sum(x * x for x in a) ** 0.5) * (sum(y * y for y in b) ** 0.5))
v = [d.embedding for d in many.data]
near, far = cos(v[0], v[1]), cos(v[0], v[2])
check(near > far, "similar texts are closer (%.3f) than unrelated ones (%.3f)" % (near, far))
check(abs(cos(one.data[0].embedding, v[0]) - 1) < 1e-3, "the same text embeds the same alone and in a batch")
report["embedding_dimensions"], report["cos_similar"], report["cos_unrelated"] = dims.pop(), near, far

# Audio: create, poll, a valid WAV.
def call(method, path, body=None):
    """(status, content type, body bytes) of a request with the key."""
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


status, _, content = call("POST", "/audio/create-job", {"model": TTS, "input": "Hello from the Lilypad network.", "voice": "heart"})
check(status == 200, "audio create-job: %s %s" % (status, content))
job = json.loads(content)["data"]["job_offer_id"]
polls, deadline = 0, time.time() + 300
while True:
    status, kind, content = call("GET", "/audio/results/" + job)
    polls += 1
    if status == 200 and kind.startswith("audio/wav"):
        break
    check(status == 202 and json.loads(content)["status"] == 102, "still processing: %s %s" % (status, content))
    check(time.time() < deadline, "the audio job finished in time")
    time.sleep(0.2)
with wave.open(io.BytesIO(content)) as wav:
    frames, rate = wav.getnframes(), wav.getframerate()
check(rate > 8000 and frames / rate > 0.5, "a WAV with real audio: %d frames at %d Hz" % (frames, rate))
check(struct.unpack("<I", content[40:44])[0] == len(content) - 44, "the WAV header's data size matches the file")
status, _, content = call("GET", "/jobs/" + job)
check(status == 200 and json.loads(content)["status"] == "completed", "jobs/:id reports the finished job: %s" % content)
report["audio_seconds"], report["audio_polls"] = round(frames / rate, 2), polls

# Errors: 401, 404, 429 with OpenAI bodies.
try:
    OpenAI(base_url=base, api_key="lp-not-a-key", max_retries=0).models.list()
    check(False, "a bad key is refused")
except openai.AuthenticationError as error:
    check(error.status_code == 401 and error.body.get("code") == "invalid_api_key", "401 body: %s" % error.body)
try:
    client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
    check(False, "an unknown model is refused")
except openai.NotFoundError as error:
    check(error.status_code == 404 and error.body.get("code") == "model_not_found", "404 body: %s" % error.body)
# 40 requests at once with a key allowed 5 per second: however slow a loaded machine makes each
# request, they arrive together, past what the bucket holds (one after another, each taking over
# 200 ms, they would never run it dry).
limited = OpenAI(base_url=base, api_key=limited_key, max_retries=0)


def limited_call(_):
    try:
        limited.models.list()
        return 200, None
    except openai.RateLimitError as error:
        return error.status_code, error.body


with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
    answers = list(pool.map(limited_call, range(40)))
statuses = [status for status, _ in answers]
for status, body in answers:
    if status == 429:
        check(body.get("type") == "rate_limit_error", "429 body: %s" % body)
check(429 in statuses and 200 in statuses, "past the rate limit requests get 429: %s" % statuses)
report["rate_limit_statuses"] = {"200": statuses.count(200), "429": statuses.count(429)}
print(json.dumps(report))
