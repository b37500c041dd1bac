// Drives a running `lfm2 serve` (LFM2_URL, API key LFM2_KEY) with the
// official openai client as an application would. Random-weight models
// say nothing meaningful, so this checks shapes, streaming, seeds and
// errors, not content. Exits non-zero on the first failed check.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = process.env.LFM2_URL + '/v1';
const client = new OpenAI({ baseURL, apiKey: process.env.LFM2_KEY, maxRetries: 0, timeout: 60_000 });
const messages = [
  { role: 'system', content: 'You are brief.' },
  { role: 'user', content: 'What is C. elegans?' },
];
const tools = [{
  type: 'function',
  function: {
    name: 'get_weather', description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}];
let checks = 0;
async function check(name, fn) {
  try {
    await fn();
    checks++;
    console.log(`ok   ${name}`);
  } catch (e) {
    console.error(`FAIL ${name}:`, e);
    process.exit(1);
  }
}

const models = await client.models.list();
const model = models.data[0].id;

await check('models', async () => {
  assert.equal(models.data.length, 1);
  assert.equal(models.data[0].object, 'model');
  const m = await client.models.retrieve(model);
  assert.equal(m.id, model);
});

let whole;
await check('chat', async () => {
  whole = await client.chat.completions.create({ model, messages, max_tokens: 12, seed: 7, temperature: 0.8 });
  assert.equal(whole.object, 'chat.completion');
  assert.equal(whole.choices.length, 1);
  assert.equal(whole.choices[0].message.role, 'assistant');
  assert.equal(typeof whole.choices[0].message.content, 'string');
  assert.ok(['stop', 'length'].includes(whole.choices[0].finish_reason));
  assert.equal(whole.usage.total_tokens, whole.usage.prompt_tokens + whole.usage.completion_tokens);
});

await check('chat streaming equals the whole answer', async () => {
  const stream = await client.chat.completions.create({
    model, messages, max_tokens: 12, seed: 7, temperature: 0.8, stream: true, stream_options: { include_usage: true },
  });
  let text = '', finish = null, usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      text += c.delta.content ?? '';
      finish = c.finish_reason ?? finish;
    }
  }
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, whole.choices[0].finish_reason);
  assert.deepEqual(usage.completion_tokens, whole.usage.completion_tokens);
});

await check('stream helper assembles the final completion', async () => {
  const runner = client.chat.completions.stream({ model, messages, max_tokens: 12, seed: 7, temperature: 0.8 });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.content, whole.choices[0].message.content);
});

await check('n=2', async () => {
  const r = await client.chat.completions.create({ model, messages, max_tokens: 6, n: 2, seed: 3 });
  assert.deepEqual(r.choices.map((c) => c.index), [0, 1]);
  const again = await client.chat.completions.create({ model, messages, max_tokens: 6, n: 2, seed: 3 });
  assert.deepEqual(again.choices.map((c) => c.message.content), r.choices.map((c) => c.message.content));
});

await check('tools: a conversation with calls and results', async () => {
  const convo = [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c": 18}' },
  ];
  const r = await client.chat.completions.create({ model, messages: convo, tools, tool_choice: 'auto', max_tokens: 8 });
  const msg = r.choices[0].message;
  assert.ok(typeof msg.content === 'string' || Array.isArray(msg.tool_calls));
  const s = await client.chat.completions.create({ model, messages: convo, tools, max_tokens: 8, stream: true });
  for await (const chunk of s) assert.equal(chunk.object, 'chat.completion.chunk');
});

await check('forced tool call (tool_choice required), whole and streamed', async () => {
  // A bounded argument: random weights would write an unbounded string forever.
  const tools = [{ type: 'function', function: { name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 10 } }, required: ['city'] } } }];
  const r = await client.chat.completions.create({ model, messages, tools, tool_choice: 'required', max_tokens: 60, temperature: 1, seed: 2 });
  const c = r.choices[0];
  assert.equal(c.finish_reason, 'tool_calls');
  assert.equal(c.message.tool_calls[0].function.name, 'get_weather');
  assert.equal(typeof JSON.parse(c.message.tool_calls[0].function.arguments).city, 'string');
  const runner = client.chat.completions.stream({ model, messages, tools, max_tokens: 60, temperature: 1, seed: 2,
    tool_choice: { type: 'function', function: { name: 'get_weather' } } });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.tool_calls[0].function.name, 'get_weather');
});

await check('response_format json_schema', async () => {
  const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 12 }, age: { type: 'integer' } },
    required: ['name', 'age'], additionalProperties: false };
  for (let seed = 0; seed < 3; seed++) {
    const r = await client.chat.completions.create({ model, messages, max_tokens: 80, seed, temperature: 1,
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } } });
    if (r.choices[0].finish_reason !== 'stop') continue;
    const v = JSON.parse(r.choices[0].message.content);
    assert.deepEqual(Object.keys(v), ['name', 'age']);
    assert.ok(Number.isInteger(v.age) && typeof v.name === 'string' && v.name.length <= 12);
  }
});

await check('logprobs', async () => {
  const r = await client.chat.completions.create({ model, messages, max_tokens: 5, logprobs: true, top_logprobs: 3, temperature: 0 });
  const lp = r.choices[0].logprobs.content;
  assert.equal(lp.length, r.usage.completion_tokens);
  for (const t of lp) {
    assert.ok(t.logprob <= 0);
    assert.equal(t.top_logprobs.length, 3);
    assert.equal(t.top_logprobs[0].logprob, t.logprob); // greedy takes the most likely
  }
});

await check('completions with echo', async () => {
  const r = await client.completions.create({ model, prompt: 'The worm', max_tokens: 5, echo: true });
  assert.ok(r.choices[0].text.startsWith('The worm'));
  const s = await client.completions.create({ model, prompt: 'The worm', max_tokens: 5, stream: true });
  let n = 0;
  for await (const chunk of s) n += chunk.choices.length;
  assert.ok(n >= 1);
});

await check('errors: bad request names the field', async () => {
  await assert.rejects(
    client.chat.completions.create({ model, messages, temperature: -1 }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'temperature' && e.message.includes('temperature'),
  );
  await assert.rejects(
    client.chat.completions.create({ model, messages, n: 0 }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'n',
  );
});

await check('errors: wrong API key', async () => {
  const bad = new OpenAI({ baseURL, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
});

await check('errors: unknown model', async () => {
  await assert.rejects(client.models.retrieve('no-such-model'), (e) => e instanceof OpenAI.NotFoundError);
});

await check('abort mid-stream frees the sequence', async () => {
  const ac = new AbortController();
  const s = await client.chat.completions.create({ model, messages, max_tokens: 2000, ignore_eos: true, stream: true }, { signal: ac.signal });
  let got = 0;
  try {
    for await (const chunk of s) {
      if (++got === 3) ac.abort();
    }
  } catch (e) {
    assert.ok(e instanceof OpenAI.APIUserAbortError || e.name === 'AbortError', e);
  }
  assert.ok(got < 100, `the stream went on after abort (${got} chunks)`);
  // The server notices the closed connection and frees the slot.
  for (let i = 0; ; i++) {
    const m = await (await fetch(process.env.LFM2_URL + '/metrics')).text();
    if (/^lfm2_running_sequences 0$/m.test(m)) break;
    assert.ok(i < 200, 'the aborted sequence is still running');
    await new Promise((r) => setTimeout(r, 50));
  }
});

console.log(`${checks} checks passed`);
