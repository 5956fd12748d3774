#!/usr/bin/env node
// Runs machines through the real xstate@4 interpreter and records what it sees.
//
//   node tests/conformance/record.js            regenerate every golden in fixtures/conformance
//   node tests/conformance/record.js --check    exit 1 if any golden differs from live xstate
//   node tests/conformance/record.js --serve    JSON lines on stdin -> observations on stdout
//                                               (used by the hypothesis differential test)
//
// A trace is {"name", "description", "machine", "steps": [{"event": e} | {"advance": ms}]}.
// After the start and after every step (once promises have settled) it records
// {value, context, tags, done, output}, plus `changed` after a step that made a transition
// (and after the start, when xstate defines it).
process.env.NODE_ENV = "production"; // before xstate loads: no development warnings on stderr
const fs = require("fs");
const path = require("path");
const readline = require("readline");
const { createMachine, interpret } = require("xstate");
const { SimulatedClock } = require("xstate/lib/SimulatedClock");
const { build } = require("./impls");

const CORPUS = path.join(__dirname, "..", "..", "fixtures", "conformance");

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

// xstate itself can loop (e.g. a stale parallel configuration restarting a service forever);
// such a run is stopped and reported as an error instead of hanging the recorder.
const MAX_TRANSITIONS = 5000;

async function run(trace) {
  const [config, options] = build(trace.machine);
  const machine = createMachine(config, options);
  const clock = new SimulatedClock();
  let output = null;
  const service = interpret(machine, { clock, logger: () => {} }).onDone((e) => {
    output = e.data === undefined ? null : e.data;
  });
  let transitions = 0;
  service.onTransition(() => {
    if (++transitions === MAX_TRANSITIONS) service.stop();
  });
  const checkRunaway = () => {
    if (transitions >= MAX_TRANSITIONS) throw new Error(`runaway: over ${MAX_TRANSITIONS} transitions`);
  };
  // `changed` says whether the last transition changed anything; it is recorded after a step
  // only when the step made a transition, and after the start when it is defined (xstate
  // leaves it undefined on most initial states).
  const observe = (before) => {
    const s = service.getSnapshot();
    const seen = {
      value: s.value,
      context: s.context === undefined ? null : s.context,
      tags: [...s.tags].sort(),
      done: !!s.done,
      output,
    };
    if (before === undefined ? s.changed !== undefined : s !== before) seen.changed = !!s.changed;
    return JSON.parse(JSON.stringify(seen));
  };
  service.start();
  await settle();
  checkRunaway();
  const seen = [observe()];
  for (const step of trace.steps) {
    const before = service.getSnapshot();
    if ("advance" in step) clock.increment(step.advance);
    else service.send(step.event);
    await settle();
    checkRunaway();
    seen.push(observe(before));
  }
  service.stop();
  return seen;
}

async function safeRun(trace) {
  try {
    return { expected: await run(trace) };
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
}

async function serve() {
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const result = await safeRun(JSON.parse(line));
    process.stdout.write(JSON.stringify(result) + "\n");
  }
}

async function recordAll(check) {
  const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith(".json")).sort();
  let drift = 0;
  for (const file of files) {
    const full = path.join(CORPUS, file);
    const trace = JSON.parse(fs.readFileSync(full, "utf8"));
    const result = await safeRun(trace);
    if (result.error) throw new Error(`${file}: xstate failed: ${result.error}`);
    if (check) {
      if (JSON.stringify(result.expected) !== JSON.stringify(trace.expected)) {
        drift++;
        console.error(`golden drift: ${file}`);
      }
    } else {
      trace.expected = result.expected;
      fs.writeFileSync(full, JSON.stringify(trace, null, 1) + "\n");
    }
  }
  console.log(`${check ? "checked" : "recorded"} ${files.length} traces, ${drift} drifted`);
  if (drift) process.exit(1);
}

const arg = process.argv[2];
if (arg === "--serve") serve();
else recordAll(arg === "--check").catch((e) => { console.error(e); process.exit(2); });
