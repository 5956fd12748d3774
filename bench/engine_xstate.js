// The engine benchmark's other half: the same machine and events through real xstate@4
// (machine.transition, the pure function), timed the same way. Usage: node engine_xstate.js N
const path = require("path");
const { createMachine, assign } = require(path.join(__dirname, "..", "tests", "conformance", "node_modules", "xstate"));
const config = require("./engine_machine.json");

const machine = createMachine(config.machine, {
  guards: { isEven: (ctx) => ctx.count % 2 === 0, countAbove3: (ctx) => ctx.count > 3 },
  actions: { inc: assign({ count: (ctx) => ctx.count + 1 }), reset: assign({ count: 0 }) },
});
const events = config.events;
const n = Number(process.argv[2] || 20000);
let state = machine.initialState;
for (let i = 0; i < 2000; i++) state = machine.transition(state, events[i % events.length]);
state = machine.initialState;
const start = process.hrtime.bigint();
for (let i = 0; i < n; i++) state = machine.transition(state, events[i % events.length]);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ transitionsPerSecond: n / seconds }));
