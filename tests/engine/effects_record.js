// Records what xstate@4's interpreter *does* for machines from effects_gen.py: user actions
// run (with the context and event they get), services started/stopped, events children
// receive, logs, timers scheduled and cancelled.
//
//   node effects_record.js <path to node_modules/xstate>  < traces.json  > records.json
//
// A trace is {"machine": <effects_gen JSON>, "steps": [{"event": e} | {"advance": ms}]}; the
// answer, per trace, is {"steps": [[record, ...] for the start and after each step]} (promises
// settled) or {"error": message}.
process.env.NODE_ENV = "production";
const path = require("path");
const xstatePath = process.argv[2];
const { createMachine, interpret, assign, actions } = require(xstatePath);
const { Interpreter } = require(path.join(xstatePath, "lib", "interpreter"));
const { SimulatedClock } = require(path.join(xstatePath, "lib", "SimulatedClock"));

let records = [];
const ctxOf = (ctx) => JSON.parse(JSON.stringify(ctx));

// timers: what the interpreter defers and cancels (by send id)
const defer = Interpreter.prototype.defer;
Interpreter.prototype.defer = function (action) {
  records.push(["schedule", action.id, action.delay, action._event.name]);
  return defer.call(this, action);
};
const cancel = Interpreter.prototype.cancel;
Interpreter.prototype.cancel = function (sendId) {
  records.push(["cancel", sendId]);
  return cancel.call(this, sendId);
};

// on completion the interpreter clears its pending timers directly (no cancel()); fired ones
// stay in its map, but clearing them does nothing
const stop = Interpreter.prototype._stop;
Interpreter.prototype._stop = function () {
  if (this.initialized) {
    for (const [id, timer] of Object.entries(this.delayedEventsMap)) {
      if (this.clock.timeouts.has(timer)) records.push(["cancel", id]);
    }
  }
  return stop.call(this);
};

const spy = (name) => (ctx, ev) => records.push(["exec", name, ctxOf(ctx), ev.type]);

const NAMED = {
  pure: () => actions.pure((c) => (c.count % 3 ? ["spy:pure", "inc"] : undefined)),
  inc: () => assign({ count: (c) => c.count + 1 }),
  dbl: () => assign({ count: (c) => (c.count * 2) % 97 }),
  logCount: () => actions.log((c) => c.count, "L"),
  fromData: () => assign({ count: (c, e) => (e.data + 1) % 97 }),
};

function action(a) {
  if (typeof a !== "string") {
    switch (a.type) {
      case "xstate.raise": return actions.raise(a.event);
      case "xstate.send": return actions.send(a.event, { to: a.to, delay: a.delay, id: a.id });
      case "xstate.cancel": return actions.cancel(a.sendId);
      case "xstate.stop": return actions.stop(a.activity);
      case "xstate.assign": return assign(a.assignment);
      case "xstate.choose":
        return actions.choose(a.conds.map((c) => ({ cond: c.cond, actions: c.actions.map(action) })));
      default: throw new Error("unsupported " + JSON.stringify(a));
    }
  }
  if (a.startsWith("spy:")) return { type: a, exec: spy(a) };
  if (a.startsWith("fwd:")) return actions.forwardTo(a.slice(4));
  return NAMED[a]();
}

function state(node) {
  const out = { ...node };
  for (const key of ["entry", "exit"]) if (node[key]) out[key] = node[key].map(action);
  const trans = (t) => (typeof t === "string" ? t : { ...t, actions: (t.actions || []).map(action) });
  const list = (v) => (Array.isArray(v) ? v.map(trans) : trans(v));
  if (node.on) out.on = Object.fromEntries(Object.entries(node.on).map(([k, v]) => [k, list(v)]));
  if (node.always) out.always = list(node.always);
  if (node.invoke) {
    out.invoke = { ...node.invoke };
    if (node.invoke.dataCount) out.invoke.data = { n: (c) => c.count };
    delete out.invoke.dataCount;
  }
  if (node.invoke && node.invoke.onDone) out.invoke.onDone = trans(node.invoke.onDone);
  if (node.after) out.after = Object.fromEntries(Object.entries(node.after).map(([k, v]) => [k, trans(v)]));
  if (node.states) out.states = Object.fromEntries(Object.entries(node.states).map(([k, v]) => [k, state(v)]));
  return out;
}

const child = (ctx, ev, meta) => (send, receive) => {
  const id = meta.src.child;
  records.push(["start", id, meta.data === undefined ? null : meta.data, ctxOf(ctx), ev.type]);
  receive((e) => records.push(["recv", id, e.type]));
  return () => records.push(["stop", id]);
};

const promise = (ctx, ev, meta) => {
  records.push(["start", meta.src.child, meta.data === undefined ? null : meta.data, ctxOf(ctx), ev.type]);
  return Promise.resolve(ctx.count);
};

// an error thrown while a promise's result is processed would end the process
let asyncError = null;
process.on("unhandledRejection", (e) => (asyncError = asyncError || e));

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  if (asyncError) throw asyncError;
};

async function run(trace) {
  records = [];
  asyncError = null;
  const machine = createMachine(state(trace.machine), {
    guards: { even: (c) => c.count % 2 === 0, big: (c) => c.count > 3 },
    services: { cb: child, ok: promise },
    // what pure() returns is looked up here
    actions: { "spy:pure": spy("spy:pure"), inc: NAMED.inc() },
  });
  const clock = new SimulatedClock();
  const service = interpret(machine, { clock, logger: (label, value) => records.push(["log", label, value]) });
  // xstate itself can loop (a stale configuration restarting a service on every result):
  // such a run is stopped and reported as an error
  let transitions = 0;
  service.onTransition(() => {
    if (++transitions === 2000) service.stop();
  });
  const runaway = () => {
    if (transitions >= 2000) throw new Error("runaway: over 2000 transitions");
  };
  const steps = [];
  service.start();
  await settle();
  runaway();
  steps.push(records);
  for (const step of trace.steps) {
    records = [];
    if ("advance" in step) clock.increment(step.advance);
    else service.send(step.event);
    await settle();
    runaway();
    steps.push(records);
  }
  return { steps };
}

let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", async () => {
  const out = [];
  for (const trace of JSON.parse(input)) {
    try {
      out.push(await run(trace));
    } catch (e) {
      out.push({ error: String(e && e.message) });
    }
  }
  process.stdout.write(JSON.stringify(out));
});
