import { useCallback, useSyncExternalStore } from "react";

// A hash router: routes survive a reload, and the shell can deep-link
// (a clicked notification opens #/secrets/<id>).

export type Route =
  | { view: "secrets" }
  | { view: "secret"; id: string }
  | { view: "register"; type: string | null }
  | { view: "expiry" }
  | { view: "trash" }
  | { view: "settings" };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [head, arg] = parts;
  switch (head) {
    case "secrets":
      return arg ? { view: "secret", id: arg } : { view: "secrets" };
    case "register":
      return { view: "register", type: arg ?? null };
    case "expiry":
      return { view: "expiry" };
    case "trash":
      return { view: "trash" };
    case "settings":
      return { view: "settings" };
    default:
      return { view: "secrets" };
  }
}

export function routeHref(route: Route): string {
  switch (route.view) {
    case "secret":
      return `#/secrets/${encodeURIComponent(route.id)}`;
    case "register":
      return route.type ? `#/register/${route.type}` : "#/register";
    default:
      return `#/${route.view}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

function subscribe(callback: () => void) {
  window.addEventListener("hashchange", callback);
  return () => window.removeEventListener("hashchange", callback);
}

export function useRoute(): [Route, (route: Route) => void] {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  const go = useCallback((route: Route) => navigate(route), []);
  return [parseRoute(hash), go];
}
