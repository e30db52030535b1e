import { Icon } from "./Icon";
import { useToast } from "./Toasts";

/**
 * Copies text the page already shows (a public key, a password shown once)
 * with the browser's clipboard; values kept in the vault are copied by the shell.
 */
export function CopyButton({ text, label, done }: { text: string; label: string; done: string }) {
  const toast = useToast();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      toast.info(done);
    } catch {
      toast.error("The clipboard is not available.");
    }
  };
  return (
    <button type="button" className="btn btn-sm" onClick={() => void copy()}>
      <Icon name="copy" /> {label}
    </button>
  );
}
