import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

type Toast = { id: number; text: string; kind: "info" | "error" };
type ToastApi = { info: (text: string) => void; error: (text: string) => void };

const ToastContext = createContext<ToastApi>({ info: () => undefined, error: () => undefined });

let next = 1;

/** Brief messages, announced to screen readers. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((text: string, kind: Toast["kind"]) => {
    const id = next++;
    setToasts((all) => [...all.slice(-3), { id, text, kind }]);
    window.setTimeout(() => setToasts((all) => all.filter((t) => t.id !== id)), kind === "error" ? 7000 : 3500);
  }, []);
  const api = useMemo<ToastApi>(
    () => ({ info: (text) => push(text, "info"), error: (text) => push(text, "error") }),
    [push],
  );
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={t.kind === "error" ? "toast toast-error" : "toast"}>
            {t.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  return useContext(ToastContext);
}
