export default async function globalTeardown() {
  await globalThis.flowforgeStack?.stop();
}
