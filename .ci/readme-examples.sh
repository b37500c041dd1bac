#!/usr/bin/env bash
# Runs the README's examples against the fixture model and the synthetic
# model, so an example that stops working fails CI.
set -euo pipefail
BIN=${1:-./lfm2}
FIX=testdata/fixtures/tiny-bf16
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
check() { echo "+ $*" >&2; "$@"; }

check $BIN --help >/dev/null
check $BIN run --model synthetic:tiny --max-tokens 8 "Hello" >/dev/null
check $BIN run --model $FIX --raw --temperature 0 --max-tokens 12 "The capital of Kenya is" >/dev/null
out=$(check $BIN run --model $FIX --ids 1,8747,8679,2453 --temperature 0 --repetition-penalty 1 --max-tokens 4 --ignore-eos --json)
echo "$out" | grep -q '"finish_reason":"length"'
out=$(check $BIN score --model $FIX --ids 1,6,42 --json)
echo "$out" | grep -q '"logprobs":\[null,'
check $BIN score --model $FIX "The capital of Kenya is" --top 3 >/dev/null
check $BIN tokenize --model $FIX "Hello world" | grep -qx '1 3930 8502'
echo '{"messages":[{"role":"user","content":"Hi"}],"add_generation_prompt":true}' \
  | check $BIN tokenize --model $FIX --chat --json | grep -q '"ids":\[1,6,'
printf '{"id": "a", "prompt": "Hello"}\n{"id": "b", "prompt": "What is 2+2?", "max_tokens": 4}\nnot json\n' > "$tmp/p.jsonl"
check $BIN batch --model $FIX -i "$tmp/p.jsonl" -o "$tmp/out.jsonl" --max-tokens 8 --quiet
test "$(grep -c '"completion"' "$tmp/out.jsonl")" = 2
grep -q '"line":3' "$tmp/out.jsonl"
check $BIN batch --model $FIX -i "$tmp/p.jsonl" -o "$tmp/out.jsonl" --max-tokens 8 --quiet --resume
test "$(grep -c '"completion"' "$tmp/out.jsonl")" = 2
check $BIN bench --model synthetic:tiny --prompt 64 --gen 8 --parallel 1,4 --repeat 1 --json | grep -q '"batched"'
HF_HOME="$tmp/hf" check $BIN models | grep -q 'no models'
printf 'Hi\nWhat is 2+2?\n' | check $BIN chat --model $FIX --max-tokens 4 --json | grep -c '"turn"' | grep -qx 2
printf 'Hi\n/exit\n' | check $BIN chat --model $FIX --max-tokens 4 >/dev/null
check $BIN pull --help >/dev/null
check $BIN run --model $FIX --dtype int8 --raw --temperature 0 --max-tokens 8 "The capital of Kenya is" >/dev/null
check $BIN bench --model synthetic:tiny --dtype int8 --prompt 64 --gen 8 --parallel 2 --repeat 1 --json | grep -q '"dtype":"int8"'
# Chat templates, tools and the LFM2.5 presets.
echo '[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]' > "$tmp/tools.json"
out=$(check $BIN run --model synthetic:lfm2.5-350m --tools "$tmp/tools.json" --max-tokens 4 --verbose "Weather in Paris?" 2>&1)
echo "$out" | grep -q 'LFM2.5 model'
out=$(echo '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"","tool_calls":[{"type":"function","function":{"name":"f","arguments":{"a":1}}}]}]}' \
  | check $BIN tokenize --model synthetic:350m --chat)
echo "$out" | grep -q "<|tool_call_start|>\[f(a=1)\]<|tool_call_end|>"
printf '{{ bos_token }}custom' > "$tmp/t.jinja"
echo '{"messages":[]}' | check $BIN tokenize --model synthetic:350m --chat --chat-template "$tmp/t.jinja" | grep -qx '<|startoftext|>custom'
# GGUF files.
check $BIN run --model testdata/fixtures/gguf-tiny/model-Q8_0.gguf --max-tokens 4 "Hello" >/dev/null
check $BIN run --model testdata/fixtures/gguf-quant --quant Q4_K_M --raw --max-tokens 4 --ids 1,5,9 >/dev/null
echo "README examples (models, chat): all ran" >&2
# Structured output.
echo '{"type": "object", "properties": {"name": {"type": "string", "maxLength": 12}, "age": {"type": "integer"}}, "required": ["name", "age"]}' > "$tmp/person.schema.json"
check $BIN run --model $FIX --json-schema "$tmp/person.schema.json" --json "Extract the person: Ada Lovelace, 36, ada@example.org" | grep -q '"parsed":{"name":'
printf 'root ::= year "-" month "-" day\nyear ::= [12] [0-9]{3}\nmonth ::= "0" [1-9] | "1" [0-2]\nday ::= "0" [1-9] | [12] [0-9]\n' > "$tmp/date.gbnf"
check $BIN run --model $FIX --grammar "$tmp/date.gbnf" "When did the war end?" | grep -qE '^[12][0-9]{3}-[01][0-9]-[0-2][0-9]$'
# lfm2 serve: start on a free port, the README's curl examples, SIGTERM.
# (--ctx bounds the answers that set no max_tokens: the fixture rarely ends one.)
$BIN serve --model $FIX --port 0 --ctx 512 2>"$tmp/serve.log" &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 300); do grep -q 'serving' "$tmp/serve.log" && break; sleep 0.1; done
url=$(sed -n 's|.*serving .* at \(http://[^ ]*\)/v1.*|\1|p' "$tmp/serve.log")
check curl -sf "$url/v1/chat/completions" -H 'Content-Type: application/json' -d '{
  "messages": [{"role": "user", "content": "What is C. elegans?"}], "max_tokens": 64}' > "$tmp/r.json"
grep -q '"chat.completion"' "$tmp/r.json"
check curl -sfN "$url/v1/chat/completions" -H 'Content-Type: application/json' -d '{
  "messages": [{"role": "user", "content": "Count to five."}], "stream": true,
  "stream_options": {"include_usage": true}}' > "$tmp/r.sse"
grep -qx 'data: \[DONE\]' "$tmp/r.sse"
check curl -sf "$url/v1/chat/completions" -H 'Content-Type: application/json' -d '{
  "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
  "tools": [{"type": "function", "function": {"name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}' > "$tmp/r.json"
grep -q '"finish_reason"' "$tmp/r.json"
check curl -sf "$url/v1/chat/completions" -H 'Content-Type: application/json' -d '{
  "messages": [{"role": "user", "content": "Extract: Ada Lovelace, 36"}],
  "response_format": {"type": "json_schema", "json_schema": {"name": "person", "strict": true,
    "schema": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
               "required": ["name", "age"], "additionalProperties": false}}}}' > "$tmp/r.json"
grep -q '"content":"{\\"name\\":' "$tmp/r.json"
kill -TERM $spid && wait $spid
