// Vite's "?raw" imports (the file's text); used by tests that check real assets.
declare module "*?raw" {
  const text: string;
  export default text;
}
