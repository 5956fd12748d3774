// The named implementations conformance machines may use, in JavaScript. impls.py holds the
// same set for our engine: keep the two files in step (README.md lists every name).
//
// A corpus machine is pure JSON. Names carry their parameters after a colon ("push:x",
// "countAbove:2"), and three JSON forms stand for functions:
//   * action names (strings in entry / exit / actions / choose branches): ACTIONS below;
//   * guard names (strings in `cond`): GUARDS below;
//   * {"$fn": "name:arg"} anywhere except inside `context` (a send/raise event, a delay, a log
//     expression, an assign value, a done-data or invoke-data mapper value): FNS below;
//   * {"type": "xstate.pure", "get": "name"}: PURE below.
// JSON action objects (xstate.raise / send / cancel / log / choose / assign / pure / stop) are built
// with xstate's own action creators so that xstate resolves them exactly as it would in user
// code.
const { actions, assign } = require("xstate");

const num = (s) => Number(s);
const isNum = (v) => typeof v === "number";

// name -> (arg) -> action object
const ACTIONS = {
  inc: () => assign({ count: (ctx) => ctx.count + 1 }),
  dec: () => assign({ count: (ctx) => ctx.count - 1 }),
  double: () => assign({ count: (ctx) => ctx.count * 2 }),
  reset: () => assign({ count: 0 }),
  setFromEvent: () => assign({ count: (ctx, ev) => (isNum(ev.value) ? ev.value : ctx.count) }),
  setFromData: () => assign({ count: (ctx, ev) => (isNum(ev.data) ? ev.data : ctx.count) }),
  setFlag: () => assign({ flag: true }),
  clearFlag: () => assign({ flag: false }),
  toggleFlag: () => assign({ flag: (ctx) => !ctx.flag }),
  push: (arg) => assign({ log: (ctx) => [...(ctx.log || []), arg] }),
  pushEvent: () => assign({ log: (ctx, ev) => [...(ctx.log || []), ev.type] }),
  pushCount: () => assign({ log: (ctx) => [...(ctx.log || []), `c${ctx.count}`] }),
  pushData: () => assign({ log: (ctx, ev) => [...(ctx.log || []), ev.data === undefined ? null : ev.data] }),
};

// name -> (arg) -> guard(ctx, event, meta)
const GUARDS = {
  isEven: () => (ctx) => ctx.count % 2 === 0,
  flag: () => (ctx) => !!ctx.flag,
  hasFlag: () => (ctx) => !!ctx.flag,
  countAbove: (arg) => (ctx) => ctx.count > num(arg),
  countIs: (arg) => (ctx) => ctx.count === num(arg),
  eventValueAbove: (arg) => (ctx, ev) => isNum(ev.value) && ev.value > num(arg),
  eventHas: (arg) => (ctx, ev) => Object.prototype.hasOwnProperty.call(ev, arg),
  never: () => () => false,
  always: () => () => true,
};

// name -> (arg) -> function(ctx, event, meta)
const FNS = {
  count: () => (ctx) => ctx.count,
  countPlus: (arg) => (ctx) => ctx.count + num(arg),
  logLength: () => (ctx) => (ctx.log || []).length,
  eventValue: () => (ctx, ev) => (ev.value === undefined ? null : ev.value),
  eventData: () => (ctx, ev) => (ev.data === undefined ? null : ev.data),
  countEvent: (arg) => (ctx) => ({ type: arg, value: ctx.count }),
  countDelay: () => (ctx) => ctx.count * 100 + 50,
  contextCopy: () => (ctx) => ({ count: ctx.count, flag: ctx.flag }),
};

// name -> (arg) -> pure getter(ctx, event) returning action objects
const PURE = {
  // push "p" once per count (at most 3): the count it sees shows when pure is resolved
  pushPerCount: () => (ctx) => Array.from({ length: Math.min(ctx.count, 3) }, () => ACTIONS.push("p")),
  raiseIfEven: () => (ctx) => (ctx.count % 2 === 0 ? [actions.raise({ type: "EVEN" })] : [ACTIONS.push("odd")]),
  incThenPushCount: () => () => [ACTIONS.inc(), ACTIONS.pushCount()],
  nothing: () => () => undefined,
};

const DELAYS = {
  short: 100,
  long: 1000,
  ctxDelay: (ctx) => ctx.count * 100 + 50,
  eventDelay: (ctx, ev) => (isNum(ev.value) ? ev.value * 100 : 10),
};

// name -> service creator (ctx, event, {data}) -> Promise; every promise is already settled
// so results arrive in start order, which the Python harness reproduces.
const SERVICES = {
  resolveCount: (ctx) => Promise.resolve(ctx.count * 10),
  rejectAlways: () => Promise.reject("nope"),
  rejectCount: (ctx) => Promise.reject({ code: ctx.count }),
  echoData: (ctx, ev, meta) => Promise.resolve(meta.data === undefined ? null : meta.data),
  eventValue: (ctx, ev) => Promise.resolve(ev.value === undefined ? null : ev.value),
  resolveNothing: () => Promise.resolve(undefined),
};

function splitName(name) {
  const i = name.indexOf(":");
  return i === -1 ? [name, undefined] : [name.slice(0, i), name.slice(i + 1)];
}

function lookup(table, kind, name) {
  const [head, arg] = splitName(name);
  if (!Object.prototype.hasOwnProperty.call(table, head)) throw new Error(`unknown ${kind} "${name}"`);
  return table[head](arg);
}

const isFnRef = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.$fn === "string";

// Replace every {"$fn": name} in a JSON value by its function.
function resolveFns(value) {
  if (isFnRef(value)) return lookup(FNS, "function", value.$fn);
  if (Array.isArray(value)) return value.map(resolveFns);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveFns(v)]));
  }
  return value;
}

class Builder {
  constructor() {
    this.actions = {};
    this.guards = {};
  }

  guard(cond) {
    if (typeof cond === "string" && !(cond in this.guards)) this.guards[cond] = lookup(GUARDS, "guard", cond);
    return cond;
  }

  action(a) {
    if (typeof a === "string") {
      if (!(a in this.actions)) this.actions[a] = lookup(ACTIONS, "action", a);
      return a;
    }
    const sendOptions = { delay: resolveFns(a.delay), id: a.id, to: a.to };
    switch (a.type) {
      case "xstate.raise": return actions.raise(resolveFns(a.event), sendOptions);
      case "xstate.send": return actions.send(resolveFns(a.event), sendOptions);
      case "xstate.cancel": return actions.cancel(a.sendId);
      case "xstate.log": return actions.log(resolveFns(a.expr), a.label);
      case "xstate.assign": return assign(resolveFns(a.assignment));
      case "xstate.pure": return actions.pure(lookup(PURE, "pure getter", a.get));
      case "xstate.stop": return actions.stop(a.activity);
      case "xstate.choose":
        return actions.choose(a.conds.map((c) => ({ cond: this.guard(c.cond), actions: this.actionList(c.actions) })));
      default: throw new Error(`unsupported action object ${JSON.stringify(a)}`);
    }
  }

  actionList(list) {
    if (list === undefined) return undefined;
    return (Array.isArray(list) ? list : [list]).map((a) => this.action(a));
  }

  // Walk a config: convert action lists, register guard names, resolve {"$fn"} references.
  config(node) {
    if (Array.isArray(node)) return node.map((n) => this.config(n));
    if (node === null || typeof node !== "object") return node;
    if (isFnRef(node)) return resolveFns(node);
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if (["entry", "exit", "actions"].includes(key)) out[key] = this.actionList(value);
      else if (key === "cond") out[key] = this.guard(value);
      else if (key === "context") out[key] = value;
      else if (key === "data") out[key] = resolveFns(value);
      else out[key] = this.config(value);
    }
    return out;
  }

  options() {
    return { actions: this.actions, guards: this.guards, delays: DELAYS, services: SERVICES };
  }
}

// (config JSON) -> [xstate config, xstate options]
function build(json) {
  const builder = new Builder();
  const config = builder.config(json);
  return [config, builder.options()];
}

module.exports = { build };
