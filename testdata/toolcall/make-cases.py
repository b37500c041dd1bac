#!/usr/bin/env python3
"""Reference tool calls for lfm2's parser: random calls rendered into the
text a model is trained to write, by the published templates' own macros
run in Python Jinja2 (lfm2-v2: escaped strings, JSON lists and dicts;
lfm2.5: Python reprs), each with the arguments it came from.

  python3 make-cases.py > cases.jsonl     # needs jinja2 (python3-jinja2)
"""
import json, random, re, os
import jinja2

here = os.path.dirname(os.path.abspath(__file__))
env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
env.filters["tojson"] = lambda x, **kw: json.dumps(x, ensure_ascii=False, **kw)

def macros(name):
    src = open(os.path.join(here, "..", "templates", name)).read()
    # Keep only the macro definitions and call render_tool_calls.
    defs = "".join(re.findall(r"\{%-? macro .*?\{%-? endmacro -?%\}", src, re.S))
    return env.from_string(defs + "{{ render_tool_calls(calls) }}")

rng = random.Random(11)
STRS = ["Paris", "", "it's", 'say "hi"', "back\\slash", "line1\nline2", "tab\t", "Zürich 東京 😀", "a, b", "x)y", "[not a list]", "=", "C:\\path"]

def value(depth, style):
    kinds = ["s", "i", "f", "b", "n"] + (["l", "d"] if depth < 2 else [])
    k = rng.choice(kinds)
    if k == "s":
        s = rng.choice(STRS)
        if style == "lfm2.5" and any(c in s for c in "'\\\n\r"):  # lfm2.5 does not escape: ambiguous text
            s = "plain"
        return s
    if k == "i": return rng.choice([0, 7, -3, 123456789012])
    if k == "f": return rng.choice([0.5, -2.25, 1e-7, 3.0, 1e20])
    if k == "b": return rng.choice([True, False])
    if k == "n": return None
    if k == "l": return [value(depth + 1, style) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["k", "key", "n"]) + str(i): value(depth + 1, style) for i in range(rng.randint(1, 3))}

for style, tmpl in [("lfm2", macros("lfm2-v2.jinja")), ("lfm2.5", macros("lfm2.5-v2.jinja"))]:
    for _ in range(60):
        calls = []
        for _ in range(rng.randint(1, 3)):
            args = {rng.choice(["city", "q", "n", "unit", "opts", "x"]) + str(i): value(0, style) for i in range(rng.randint(0, 3))}
            if style == "lfm2.5" and any(isinstance(v, (dict, list)) and "'" in json.dumps(v) for v in args.values()):
                continue
            calls.append({"name": rng.choice(["get_weather", "search", "add", "noop"]), "arguments": args})
        if not calls:
            continue
        text = tmpl.render(calls=[{"type": "function", "function": c} for c in calls])
        inner = text[len("<|tool_call_start|>"):-len("<|tool_call_end|>")]
        print(json.dumps({"style": style, "text": inner, "calls": calls}, ensure_ascii=False))
