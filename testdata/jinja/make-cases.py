#!/usr/bin/env python3
"""Writes reference renderings for lfm2's Jinja engine with Python Jinja2
configured exactly as transformers' apply_chat_template configures it
(chat_template_utils._compile_jinja_template): ImmutableSandboxedEnvironment,
trim_blocks, lstrip_blocks, loopcontrols, {% generation %}, tojson with
ensure_ascii=False, raise_exception, strftime_now.

  python3 make-cases.py   # needs jinja2 (Debian: python3-jinja2)

Outputs (one JSON object per line, "rendered" or "error"):
  conversations.jsonl: random OpenAI-form conversations through the four
    published LFM2/LFM2.5 templates (../templates/*.jinja)
  semantics.jsonl: small templates exercising the language itself
"""
import json, random, os
import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

class AssistantTracker(Extension):
    tags = {"generation"}
    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)
    @jinja2.pass_eval_context
    def _generation_support(self, context, caller):
        return caller()

def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)

def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, jinja2.ext.loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception

def render(src, ctx):
    try:
        return {"rendered": env.from_string(src).render(**ctx)}
    except Exception as e:  # the engine must refuse where Jinja2 raises
        return {"error": f"{type(e).__name__}: {e}"}

here = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261202)

TEXTS = ["Hi", "", " ", "What is C. elegans?", "line one\nline two", "tab\there", "quote ' and \" both",
         "back\\slash", "Zürich 東京 😀", "<think>hidden</think>visible", "<think>a</think> b </think> c",
         "ends with tag CONTINUE_FINAL_MESSAGE_TAG ", "{\"json\": true}", "  padded  ", "\r\nCRLF", "null"]

def rand_value(depth=0):
    kinds = ["str", "int", "float", "bool", "none"] + (["list", "dict"] if depth < 2 else [])
    k = rng.choice(kinds)
    if k == "str": return rng.choice(TEXTS + ["x", "O'Brien", "a\\b", "multi\nline", "Ünïcode"])
    if k == "int": return rng.choice([0, 1, -7, 42, 10**12])
    if k == "float": return rng.choice([0.5, 1.0, -2.25, 1e-7, 1e16, 3.14159, 100.0])
    if k == "bool": return rng.choice([True, False])
    if k == "none": return None
    if k == "list": return [rand_value(depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["k", "key", "a b", "ü", "n"]) + str(i): rand_value(depth + 1) for i in range(rng.randint(0, 3))}

def rand_content():
    r = rng.random()
    if r < 0.75: return rng.choice(TEXTS)
    if r < 0.78: return None
    parts = []
    for _ in range(rng.randint(1, 3)):
        t = rng.random()
        if t < 0.6: parts.append({"type": "text", "text": rng.choice(TEXTS)})
        elif t < 0.8: parts.append({"type": "image"})
        else: parts.append({"type": "image_url", "image_url": {"url": "http://x/y.png"}})
    return parts

def rand_tool_call():
    args = {rng.choice(["city", "n", "q", "flag", "opts", "class", "x y"]) + str(i): rand_value() for i in range(rng.randint(0, 3))}
    fn = {"name": rng.choice(["get_weather", "add", "search", "noop"]), "arguments": args}
    if rng.random() < 0.04:
        fn["arguments"] = json.dumps(args)  # a JSON string: some templates raise
    if rng.random() < 0.05:
        return fn  # a bare {"name", "arguments"}
    return {"type": "function", "id": "call_" + str(rng.randint(0, 99)), "function": fn}

def rand_tool():
    if rng.random() < 0.15:
        return '{"name": "raw_tool", "description": "given as a string"}'
    return {"type": "function", "function": {"name": rng.choice(["get_weather", "add"]), "description": rng.choice(TEXTS),
            "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City, e.g. Zürich"},
                                                            "n": {"type": "integer", "minimum": 0}}, "required": ["city"]}}}

def rand_message(role):
    m = {"role": role}
    if rng.random() < 0.96:
        m["content"] = rand_content()
    if role == "assistant":
        if rng.random() < 0.35:
            m["tool_calls"] = [rand_tool_call() for _ in range(rng.randint(1, 2))]
        for field in ["thinking", "reasoning", "reasoning_content"]:
            if rng.random() < 0.15:
                m[field] = rng.choice(["pondering", "", "step 1\nstep 2", None])
    if role == "tool" and rng.random() < 0.5:
        m["tool_call_id"] = "call_1"
        m["name"] = "get_weather"
    return m

def rand_conversation():
    msgs = []
    if rng.random() < 0.4:
        msgs.append(rand_message("system"))
    for _ in range(rng.randint(1, 4)):
        msgs.append(rand_message("user"))
        if rng.random() < 0.8:
            msgs.append(rand_message("assistant"))
            if rng.random() < 0.3:
                msgs.append(rand_message("tool"))
                msgs.append(rand_message("assistant"))
    ctx = {"messages": msgs, "tools": [rand_tool() for _ in range(rng.randint(1, 2))] if rng.random() < 0.3 else None,
           "add_generation_prompt": rng.random() < 0.5}
    if rng.random() < 0.2:
        ctx["preserve_thinking"] = rng.choice([True, False])
    return ctx

templates = {name: open(os.path.join(here, "..", "templates", name)).read()
             for name in ["lfm2.jinja", "lfm2-v2.jinja", "lfm2.5.jinja", "lfm2.5-v2.jinja"]}
with open(os.path.join(here, "conversations.jsonl"), "w") as out:
    for i in range(400):
        name = list(templates)[i % 4]
        ctx = rand_conversation()
        rec = {"template": name, **ctx}
        rec.update(render(templates[name], {"bos_token": "<|startoftext|>", "eos_token": "<|im_end|>", **ctx}))
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")

# Small templates for the language itself; ctx is the same for all.
CTX = {"s": "Hello, World", "n": 7, "f": 2.5, "neg": -3, "l": [3, 1, 2], "e": [], "d": {"b": 1, "a": [1, 2], "c": None},
       "b": True, "none": None, "u": "Ünïcode ✓", "nested": [{"name": "x", "v": 1}, {"name": "y", "v": 2}, {"name": "z"}],
       "text": "  padded\ttext \n", "words": "a b  c", "q": "it's \"quoted\"", "big": 10**15, "tiny": 1e-5}
SNIPPETS = r"""
{{ s }}|{{ n }}|{{ f }}|{{ b }}|{{ none }}|{{ l }}|{{ d }}|{{ e }}
{{ n + 1 }} {{ n - 10 }} {{ n * 2 }} {{ n / 2 }} {{ n // 2 }} {{ n % 3 }} {{ neg // 2 }} {{ neg % 5 }} {{ 2 ** 10 }} {{ f * 2 }} {{ 7 / 7 }}
{{ 1 + 2.0 }} {{ 0.1 + 0.2 }} {{ big * 10 }} {{ tiny }} {{ 1e16 }} {{ 123456789.0 }} {{ -0.0 }} {{ 1.5e300 * 1.5e300 }}
{{ s ~ n ~ none }} {{ "a" ~ 1.0 }}
{{ "ab" * 3 }} {{ l + [4] }} {{ "x" + "y" }}
{{ s + n }}
{{ none + 1 }}
{{ undefined_name }}|{{ undefined_name is defined }}|{{ undefined_name is undefined }}
{{ undefined_name.attr }}
{{ undefined_name + "x" }}
{{ undefined_name ~ "x" }}
{% for x in undefined_name %}{{ x }}{% else %}empty{% endfor %}
{{ undefined_name | default("dflt") }} {{ "" | default("dflt") }} {{ "" | default("dflt", true) }} {{ none | default("d") }} {{ none | default("d", boolean=true) }}
{{ s[0] }} {{ s[-1] }} {{ s[1:4] }} {{ s[::-1] }} {{ s[:-3] }} {{ s[100:] }} {{ l[::2] }} {{ l[-2:] }} {{ u[1:3] }} {{ u[-1] }}
{{ s[100] }}|{{ l[10] }}|{{ d["zz"] }}|{{ d.zz }}
{{ d["a"][1] }} {{ d.a.0 }} {{ nested[1].name }} {{ nested[2].v }}|{{ nested[2]["v"] is defined }}
{{ d.get("b") }} {{ d.get("zz") }} {{ d.get("zz", 5) }} {{ d.get("zz") is none }}
{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {{ d.keys() | list }} {{ d.values() | list }}
{% for k in d %}{{ k }}{% endfor %}
{{ d.items() | list }}
{{ s | length }} {{ u | length }} {{ l | length }} {{ d | length }} {{ l | count }}
{{ l | join(", ") }} {{ l | join }} {{ nested | join("-", attribute="name") }}
{{ text | trim }}|{{ "xxhixx" | trim("x") }}|{{ s | upper }} {{ s | lower }} {{ "hello world" | title }} {{ "hELLO" | capitalize }}
{{ s | replace("l", "L") }} {{ s | replace("l", "L", 1) }} {{ "a\\b" | replace("\\", "\\\\") }}
{{ l | first }} {{ l | last }} {{ l | sort }} {{ l | sort(reverse=true) }} {{ l | reverse | list }} {{ s | reverse }} {{ l | min }} {{ l | max }} {{ l | sum }}
{{ nested | map(attribute="name") | list }} {{ nested | selectattr("v") | map(attribute="name") | join }} {{ nested | rejectattr("v") | list }}
{{ nested | selectattr("v", "equalto", 2) | list }} {{ l | select("odd") | list }} {{ l | reject("odd") | list }} {{ ["a", "B"] | map("upper") | list }}
{{ [1, 1, 2, 1] | unique | list }} {{ d | dictsort }} {{ "3" | int + 1 }} {{ "x" | int }} {{ "2.5" | float }} {{ 3.7 | int }} {{ -5 | abs }} {{ 2.567 | round(1) }} {{ 2.5 | round }}
{{ d | tojson }}|{{ l | tojson }}|{{ u | tojson }}|{{ q | tojson }}|{{ none | tojson }}|{{ b | tojson }}|{{ f | tojson }}|{{ "\u0001\n\t" | tojson }}
{{ d | tojson(indent=2) }}
{{ d | tojson(sort_keys=true) }} {{ nested | tojson(separators=(",", ":")) }}
{{ d | string }} {{ l | string }} {{ none | string }} {{ b | string }} {{ q | string }} {{ [q, "it's"] }} {{ ("a", 1) }} {{ ("a",) }} {{ 1.0 | string }}
{{ s is string }} {{ n is string }} {{ d is mapping }} {{ l is mapping }} {{ l is iterable }} {{ s is iterable }} {{ n is iterable }} {{ none is iterable }} {{ l is sequence }} {{ d is sequence }}
{{ n is number }} {{ f is number }} {{ b is number }} {{ n is integer }} {{ b is integer }} {{ f is float }} {{ b is boolean }} {{ none is none }} {{ n is odd }} {{ n is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }}
{{ n is eq 7 }} {{ n is ne 7 }} {{ n is gt 3 }} {{ 2 is in l }} {{ "b" is in d }} {{ s is lower }} {{ "abc" is lower }} {{ b is true }} {{ 1 is true }} {{ n is not none }} {{ d.c is none }}
{{ "ell" in s }} {{ 2 in l }} {{ "a" in d }} {{ "z" not in d }} {{ 5 not in l }}
{{ n == 7 }} {{ n == 7.0 }} {{ b == 1 }} {{ "7" == 7 }} {{ l == [3, 1, 2] }} {{ d == d }} {{ n != 8 }} {{ n < 10 }} {{ "a" < "b" }} {{ [1, 2] < [1, 3] }} {{ n >= 7 }}
{{ "a" < 1 }}
{{ 1 and 2 }} {{ 0 and 2 }} {{ 0 or "x" }} {{ "" or none }} {{ not 0 }} {{ not l }} {{ e or "empty" }}
{{ "yes" if b else "no" }} {{ "yes" if e else "no" }} {{ "only" if none }}|{{ 1 if 0 else 2 if 0 else 3 }}
{{ s.upper() }} {{ s.lower() }} {{ s.startswith("He") }} {{ s.endswith(("x", "ld")) }} {{ text.strip() }}|{{ text.lstrip() }}|{{ text.rstrip() }}|{{ "--a--".strip("-") }}
{{ s.split(", ") }} {{ words.split() }} {{ words.split(" ") }} {{ "a,b,c".split(",", 1) }} {{ "a,b,c".rsplit(",", 1) }} {{ "<think>x</think>y".split("</think>")[-1] }}
{{ s.replace("o", "0") }} {{ s.find("o") }} {{ s.find("z") }} {{ s.count("l") }} {{ "-".join(["a", "b"]) }} {{ "x y".title() }} {{ "{} and {}".format(1, "b") }} {{ "a\nb\n".splitlines() }}
{{ "%s is %d" % ("x", 3) }} {{ "%s" % none }} {{ "%.2f" % 2.5 }}
{{ s.items() }}
{{ l.append(4) }}
{{ d.update({"x": 1}) }}
{% set x = 5 %}{{ x }} {% set a, b2 = 1, 2 %}{{ a }}{{ b2 }} {% set t = (1, 2) %}{{ t }} {% set lst = [1, "a", none, true, 1.5] %}{{ lst }}
{% for i in l %}{% set x = i %}{% endfor %}{{ x }}
{% set ns = namespace(total=0, names=[]) %}{% for i in l %}{% set ns.total = ns.total + i %}{% set ns.names = ns.names + [i ~ ""] %}{% endfor %}{{ ns.total }} {{ ns.names }}
{% for i in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}
{% for i in l %}{% if loop.previtem is defined %}{{ loop.previtem }}{% endif %}<{{ i }}>{% if loop.nextitem is defined %}{{ loop.nextitem }}{% endif %} {{ loop.cycle("a", "b") }};{% endfor %}
{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}
{% for i in l if i > 1 %}{{ i }}{{ loop.length }}{% endfor %}
{% for i in range(3) %}{% for j in range(2) %}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}
{% for i in range(1, 10, 3) %}{{ i }}{% endfor %} {{ range(3) | list }} {{ range(5, 0, -2) | list }}
{% for c in "héllo" %}{{ c }}.{% endfor %}
{% for a, b in [(1, 2), (3, 4)] %}{{ a + b }}{% endfor %}
{% macro greet(name, greeting="Hello") %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet("you") }} {{ greet("me", "Hi") }} {{ greet(name="kw", greeting="Yo") }}
{% macro outer(v) %}[{{ v }}{{ n }}]{% endmacro %}{% set n = 99 %}{{ outer(1) }}
{% macro m(a) %}{{ a }}{% endmacro %}{{ m() }}|{{ m(1) ~ m(2) }}
{% macro rec(i) %}{% if i > 0 %}{{ i }}{{ rec(i - 1) }}{% endif %}{% endmacro %}{{ rec(3) }}
{% set block %}captured {{ n }}{% endset %}[{{ block }}]
{% if n > 5 %}big{% elif n > 2 %}mid{% else %}small{% endif %} {% if none %}x{% elif e %}y{% else %}z{% endif %}
{{ raise_exception("boom") }}
{% generation %}inside {{ n }}{% endgeneration %}
{# a comment #}after comment
{% raw %}{{ not rendered }} {% if %}{% endraw %}
{{ 'single' }} {{ "dou\"ble" }} {{ 'it\'s' }} {{ "\u00fc\x41\n|" }} {{ "a" "b" }} {{ "\d" }}
{{ 1_000 }} {{ 0.5e2 }} {{ -n }} {{ -f|abs }} {{ +n }} {{ (1, 2)[0] }} {{ [1, [2, 3]][1][0] }} {{ {"k": "v"}["k"] }} {{ {"k": "v"}.k }}
{{ true }} {{ True }} {{ false }} {{ none }} {{ None }}
{{ d['a'] | length }} {{ (l | length) + 1 }} {{ -l | length }}
{{ s | truncate(8) }}|{{ "a\nb" | indent(2) }}|{{ "a\nb" | indent(2, true) }}|{{ "x" | center(5) }}|{{ "one two" | wordcount }}
{{ l | batch(2) | list }} {{ "%s-%s" | format(1, 2) }} {{ nested | map(attribute="v", default=0) | list }}
{{ d.items }}
{{ n() }}
{{ s.nosuch() }}
{{ l[1:2:0] }}
{{ 1 / 0 }}
{{ 5 // 0 }}
{% for x in 5 %}{% endfor %}
{% set d.x = 1 %}
{{ nested | sort(attribute="name", reverse=true) | map(attribute="name") | join }}
{% for x in (l if b else e) if x != 1 %}{{ x }}{% endfor %}
{{ messages_like is not defined and n is number }} {{ not n is none }} {{ -2 ** 2 }} {{ 2 ** -1 }} {{ 10 % 3 * 2 }} {{ 1 + 2 * 3 - 4 / 2 }} {{ "a" ~ 1 + 2 }}
{{ d | items | list }} {{ l | list | length }} {{ "abc" | list }} {{ d.a[0:1] }} {{ nested[0] | tojson }}
{{ "x" if "" else "" ~ "y" }} {{ (1, 2) == (1, 2) }} {{ [1] == (1,) }} {{ l | sort | first }} {{ none is defined }}
"""
with open(os.path.join(here, "semantics.jsonl"), "w") as out:
    for src in SNIPPETS.strip("\n").split("\n"):
        rec = {"template": src, **render(src, CTX)}
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    # Whitespace control and line structure, where trim_blocks and lstrip_blocks matter.
    for src in [
        "a\n{% if true %}\nb\n{% endif %}\nc\n",
        "  {% if true %}\n  x\n  {% endif %}\n",
        "x  {% if true %}y{% endif %}  z",
        "a {{- ' b ' -}} c",
        "a\n  {%- if true -%}\n  b\n  {%- endif -%}\n  c",
        "a\n  {%+ if true %}b{% endif +%}\nc",
        "{% for i in [1,2] %}\n    {{ i }}\n{% endfor %}\n",
        "line\n    {# comment #}\nnext",
        "{{ 'v' }}\nkeep newline after var\n",
        "\t{% set x = 1 %}\n\t{{ x }}\n",
        "a{% if true %}\r\nb{% endif %}",
        "{%- macro f() -%}\n  body\n{%- endmacro -%}\n[{{ f() }}]",
        "no trailing newline kept\n\n",
        "{% if true %}  \n{% endif %}x",
        "{{ '%}' }} {{ \"}}\" }}",
        "x {%- raw -%} {{ y }} {%- endraw -%} z",
    ]:
        rec = {"template": src, **render(src, CTX)}
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    out.write(json.dumps({"context": CTX}, ensure_ascii=False) + "\n")
