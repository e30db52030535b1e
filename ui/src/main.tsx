import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

// The design system first, so that feature stylesheets can refine it.
import "./styles/app.css";

import { App } from "./App";
import { ToastProvider } from "./components/Toasts";
import { followThemeInWindow } from "./lib/windowTheme";

const client = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <ToastProvider>
          <App />
        </ToastProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
  followThemeInWindow();
}
