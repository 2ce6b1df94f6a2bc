// tsup/esbuild (`loader: { '.wasm': 'binary' }`) and the vitest plugin turn a .wasm import into its bytes.
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
