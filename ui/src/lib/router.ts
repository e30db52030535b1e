import { useCallback, useSyncExternalStore } from "react";

// A hash router: routes survive a reload, and the shell can deep-link
// (a clicked notification opens #/secrets/<id>).

export type Route =
  | { view: "secrets"; label?: string }
  | { view: "secret"; id: string }
  | { view: "shared"; id: string }
  | { view: "register"; type: string | null }
  | { view: "import" }
  | { view: "jobs" }
  | { view: "job"; id: string }
  | { view: "job-new"; secret: string | null }
  | { view: "job-edit"; id: string }
  | { view: "keyvaults" }
  | { view: "keyvault"; name: string }
  | { view: "keyvault-new" }
  | { view: "keyvault-edit"; name: string }
  | { view: "team" }
  | { view: "expiry" }
  | { view: "trash" }
  | { view: "settings" }
  | { view: "audit"; secret: string | null };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [head, arg] = parts;
  switch (head) {
    case "secrets":
      return arg ? { view: "secret", id: arg } : { view: "secrets" };
    case "shared":
      return arg ? { view: "shared", id: arg } : { view: "secrets" };
    case "labels":
      // The list filtered by one label (a detail page's label chip).
      return arg ? { view: "secrets", label: arg } : { view: "secrets" };
    case "register":
      return { view: "register", type: arg ?? null };
    case "import":
      return { view: "import" };
    case "jobs":
      if (arg === "new") return { view: "job-new", secret: parts[2] ?? null };
      if (arg && parts[2] === "edit") return { view: "job-edit", id: arg };
      return arg ? { view: "job", id: arg } : { view: "jobs" };
    case "keyvaults":
      if (arg === "new" && parts.length === 2) return { view: "keyvault-new" };
      // A connection's name may hold '/': everything after the section is the name.
      return arg ? { view: "keyvault", name: parts.slice(1).join("/") } : { view: "keyvaults" };
    case "keyvaults-edit":
      return arg ? { view: "keyvault-edit", name: parts.slice(1).join("/") } : { view: "keyvaults" };
    case "team":
      return { view: "team" };
    case "expiry":
      return { view: "expiry" };
    case "trash":
      return { view: "trash" };
    case "settings":
      return { view: "settings" };
    case "audit":
      return { view: "audit", secret: arg ?? null };
    default:
      return { view: "secrets" };
  }
}

export function routeHref(route: Route): string {
  switch (route.view) {
    case "secrets":
      return route.label ? `#/labels/${encodeURIComponent(route.label)}` : "#/secrets";
    case "secret":
      return `#/secrets/${encodeURIComponent(route.id)}`;
    case "shared":
      return `#/shared/${encodeURIComponent(route.id)}`;
    case "register":
      return route.type ? `#/register/${route.type}` : "#/register";
    case "job":
      return `#/jobs/${encodeURIComponent(route.id)}`;
    case "job-new":
      return route.secret ? `#/jobs/new/${encodeURIComponent(route.secret)}` : "#/jobs/new";
    case "job-edit":
      return `#/jobs/${encodeURIComponent(route.id)}/edit`;
    case "keyvault":
      return `#/keyvaults/${route.name.split("/").map(encodeURIComponent).join("/")}`;
    case "keyvault-new":
      return "#/keyvaults/new";
    case "keyvault-edit":
      return `#/keyvaults-edit/${route.name.split("/").map(encodeURIComponent).join("/")}`;
    case "audit":
      return route.secret ? `#/audit/${encodeURIComponent(route.secret)}` : "#/audit";
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
