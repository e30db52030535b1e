// Applies the person's theme before the first paint. A classic (blocking)
// script in <head>, so that no frame is drawn in the wrong palette; the CSP
// allows only same-origin scripts, hence a file and not an inline script.
// The choice ("system", "light" or "dark") lives in localStorage under
// "coffer.theme" (ui/src/lib/theme.ts writes it); "system" follows
// prefers-color-scheme, also when it changes while the app runs.
(function () {
  var root = document.documentElement;
  var query = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function choice() {
    var stored = null;
    try {
      stored = window.localStorage.getItem("coffer.theme");
    } catch (e) {
      stored = null;
    }
    return stored === "light" || stored === "dark" ? stored : "system";
  }
  function apply() {
    var chosen = choice();
    var dark = chosen === "dark" || (chosen === "system" && query !== null && query.matches);
    root.setAttribute("data-theme", dark ? "dark" : "light");
    root.setAttribute("data-theme-choice", chosen);
  }
  apply();
  if (query) query.addEventListener("change", apply);
  window.addEventListener("storage", apply);
  window.addEventListener("coffer-theme", apply);
})();
