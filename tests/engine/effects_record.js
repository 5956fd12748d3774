// Records what xstate@4's interpreter *does* for machines from effects_gen.py: user actions
// run (with the context and event they get), services started/stopped, events children
// receive, logs, timers scheduled and cancelled.
//
//   node effects_record.js <path to node_modules/xstate>  < traces.json  > records.json
//
// A trace is {"machine": <effects_gen JSON>, "events": [...]}; the answer, per trace, is
// {"steps": [[record, ...] for the start and after each event]} or {"error": message}.
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

// on completion the interpreter clears its timers directly (no cancel())
const stop = Interpreter.prototype._stop;
Interpreter.prototype._stop = function () {
  if (this.initialized) for (const id of Object.keys(this.delayedEventsMap)) records.push(["cancel", id]);
  return stop.call(this);
};

const NAMED = {
  inc: () => assign({ count: (c) => c.count + 1 }),
  dbl: () => assign({ count: (c) => (c.count * 2) % 97 }),
  logCount: () => actions.log((c) => c.count, "L"),
};

function action(a) {
  if (typeof a !== "string") {
    switch (a.type) {
      case "xstate.raise": return actions.raise(a.event);
      case "xstate.send": return actions.send(a.event, { to: a.to, delay: a.delay, id: a.id });
      case "xstate.cancel": return actions.cancel(a.sendId);
      case "xstate.assign": return assign(a.assignment);
      case "xstate.choose":
        return actions.choose(a.conds.map((c) => ({ cond: c.cond, actions: c.actions.map(action) })));
      default: throw new Error("unsupported " + JSON.stringify(a));
    }
  }
  if (a.startsWith("spy:")) {
    return { type: a, exec: (ctx, ev) => records.push(["exec", a, ctxOf(ctx), ev.type]) };
  }
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
  if (node.states) out.states = Object.fromEntries(Object.entries(node.states).map(([k, v]) => [k, state(v)]));
  return out;
}

const child = (ctx, ev, meta) => (send, receive) => {
  const id = meta.src.child;
  records.push(["start", id, meta.data === undefined ? null : meta.data, ctxOf(ctx), ev.type]);
  receive((e) => records.push(["recv", id, e.type]));
  return () => records.push(["stop", id]);
};

function run(trace) {
  records = [];
  const machine = createMachine(state(trace.machine), {
    guards: { even: (c) => c.count % 2 === 0, big: (c) => c.count > 3 },
    services: { cb: child },
  });
  const service = interpret(machine, {
    clock: new SimulatedClock(),
    logger: (label, value) => records.push(["log", label, value]),
  });
  const steps = [];
  service.start();
  steps.push(records);
  for (const event of trace.events) {
    records = [];
    service.send(event);
    steps.push(records);
  }
  return { steps };
}

let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((trace) => {
    try {
      return run(trace);
    } catch (e) {
      return { error: String(e && e.message) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
