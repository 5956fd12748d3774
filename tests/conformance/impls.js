// The named implementations conformance machines may use, in JavaScript. impls.py holds the
// same set for our engine: keep the two files in step.
//
// Names carry their parameters so that a machine stays pure JSON:
//   actions  inc, dec, double, reset, setFromEvent, push:X (appends X to context.log)
//   guards   isEven, flag, countAbove:N, countIs:N, eventValueAbove:N, never, always
//   delays   short (100 ms), ctxDelay (context.count * 100 + 50 ms)
//   services resolveCount (resolves context.count * 10), rejectAlways (rejects "nope"),
//            echoData (resolves the invoke's data)
// JSON action objects (xstate.raise / send / cancel / log / choose / assign with literal
// values) are turned into XState's own action creators.
const { actions, assign } = require("xstate");

const num = (s) => Number(s);

function actionImpl(name) {
  const [head, arg] = splitName(name);
  switch (head) {
    case "inc": return assign({ count: (ctx) => ctx.count + 1 });
    case "dec": return assign({ count: (ctx) => ctx.count - 1 });
    case "double": return assign({ count: (ctx) => ctx.count * 2 });
    case "reset": return assign({ count: 0 });
    case "setFromEvent":
      return assign({ count: (ctx, ev) => (typeof ev.value === "number" ? ev.value : ctx.count) });
    case "push": return assign({ log: (ctx) => [...(ctx.log || []), arg] });
    default: return undefined;
  }
}

function guardImpl(name) {
  const [head, arg] = splitName(name);
  switch (head) {
    case "isEven": return (ctx) => ctx.count % 2 === 0;
    case "flag": return (ctx) => !!ctx.flag;
    case "countAbove": return (ctx) => ctx.count > num(arg);
    case "countIs": return (ctx) => ctx.count === num(arg);
    case "eventValueAbove": return (ctx, ev) => typeof ev.value === "number" && ev.value > num(arg);
    case "never": return () => false;
    case "always": return () => true;
    default: return undefined;
  }
}

const delays = {
  short: 100,
  ctxDelay: (ctx) => ctx.count * 100 + 50,
};

const services = {
  resolveCount: (ctx) => Promise.resolve(ctx.count * 10),
  rejectAlways: () => Promise.reject("nope"),
  echoData: (ctx, ev, meta) => Promise.resolve(meta.data),
};

function splitName(name) {
  const i = name.indexOf(":");
  return i === -1 ? [name, undefined] : [name.slice(0, i), name.slice(i + 1)];
}

// Turn JSON action objects into xstate action creators, recursively.
function toAction(a) {
  if (typeof a === "string") return a;
  switch (a.type) {
    case "xstate.raise": return actions.raise(a.event);
    case "xstate.send":
      return actions.send(a.event, { delay: a.delay, id: a.id, to: a.to });
    case "xstate.cancel": return actions.cancel(a.sendId);
    case "xstate.log": return actions.log(a.expr, a.label);
    case "xstate.assign": return assign(a.assignment);
    case "xstate.choose":
      return actions.choose(a.conds.map((c) => ({ cond: c.cond, actions: toActions(c.actions) })));
    default: return a;
  }
}

function toActions(list) {
  if (list === undefined) return undefined;
  return (Array.isArray(list) ? list : [list]).map(toAction);
}

// Walk the config: convert action objects and collect every name used.
function prepare(config, names = { actions: new Set(), guards: new Set() }) {
  const out = Array.isArray(config) ? [] : {};
  for (const [key, value] of Object.entries(config)) {
    if (["entry", "exit", "actions"].includes(key)) {
      const list = Array.isArray(value) ? value : [value];
      collectActionNames(list, names);
      out[key] = toActions(list);
    } else if (key === "cond" && typeof value === "string") {
      names.guards.add(value);
      out[key] = value;
    } else if (value && typeof value === "object" && key !== "context" && key !== "data") {
      out[key] = prepare(value, names);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function collectActionNames(list, names) {
  for (const a of list) {
    if (typeof a === "string") names.actions.add(a);
    else if (a && a.type === "xstate.choose") {
      for (const c of a.conds) {
        if (typeof c.cond === "string") names.guards.add(c.cond);
        collectActionNames(Array.isArray(c.actions) ? c.actions : [c.actions], names);
      }
    }
  }
}

function options(names) {
  const o = { actions: {}, guards: {}, delays, services };
  for (const n of names.actions) {
    const impl = actionImpl(n);
    if (impl) o.actions[n] = impl;
  }
  for (const n of names.guards) {
    const impl = guardImpl(n);
    if (impl) o.guards[n] = impl;
  }
  return o;
}

module.exports = { prepare, options };
