// The engine benchmark's other half: the same machine and events through real xstate@4
// (machine.transition, the pure function), timed the same way.
// Usage: node engine_xstate.js <path to node_modules/xstate> N ROUNDS
// Prints {"transitionsPerSecond": best of ROUNDS, "final": {value, context}}.
const { createMachine, assign } = require(process.argv[2]);
const config = require("./engine_machine.json");

const machine = createMachine(config.machine, {
  guards: {
    isEven: (ctx) => ctx.count % 2 === 0,
    countAbove3: (ctx) => ctx.count > 3,
    countAbove9: (ctx) => ctx.count > 9,
  },
  actions: {
    inc: assign({ count: (ctx) => ctx.count + 1 }),
    reset: assign({ count: 0 }),
    countPlay: assign({ plays: (ctx) => ctx.plays + 1 }),
  },
});
const events = config.events;
const n = Number(process.argv[3] || 20000);
const rounds = Number(process.argv[4] || 3);

function run(count) {
  let state = machine.initialState;
  for (let i = 0; i < count; i++) state = machine.transition(state, events[i % events.length]);
  return state;
}

run(2000); // warm-up (JIT)
let best = 0;
let state;
for (let r = 0; r < rounds; r++) {
  const start = process.hrtime.bigint();
  state = run(n);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  best = Math.max(best, n / seconds);
}
console.log(JSON.stringify({ transitionsPerSecond: best, final: { value: state.value, context: state.context } }));
