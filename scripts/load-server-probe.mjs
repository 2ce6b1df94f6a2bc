// Loaded into the example server by scripts/load-server.mjs (`node --import`): records the WebAssembly
// memories that instances export, and answers the parent's 'stats' message with the process's memory figures.
const memories = new Set();
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function RecordedInstance(module, imports) {
  const instance = new Instance(module, imports);
  if (instance.exports.memory instanceof WebAssembly.Memory) memories.add(instance.exports.memory);
  return instance;
};
WebAssembly.Instance.prototype = Instance.prototype;

process.on('message', (message) => {
  if (message !== 'stats') return;
  const { rss, heapUsed, external } = process.memoryUsage();
  let wasm = 0;
  for (const memory of memories) wasm += memory.buffer.byteLength;
  process.send({ rss, heapUsed, external, wasm });
});
