import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ConfirmDialog } from "../../components/Dialog";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type DeploymentView } from "../../ipc/client";
import { STATE_LABEL } from "./model";

/**
 * Retry, Adopt and Decommission for deployments, with the confirmations
 * they need; `dialogs` renders them. Every answer refreshes the deployment
 * lists.
 */
export function useDeploymentActions() {
  const client = useQueryClient();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const [asking, setAsking] = useState<{ what: "adopt" | "decommission"; d: DeploymentView } | null>(null);

  const act = async (d: DeploymentView, run: () => Promise<DeploymentView>, done: (next: DeploymentView) => string) => {
    setBusy(d.id);
    try {
      const next = await run();
      toast.info(done(next));
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(null);
      setAsking(null);
      await Promise.all([
        client.invalidateQueries({ queryKey: ["deployments"] }),
        client.invalidateQueries({ queryKey: ["secret-deployments"] }),
      ]);
    }
  };

  const retry = (d: DeploymentView) =>
    void act(d, () => api.retryDeployment(d.id), (n) => `${n.remote_name}: ${STATE_LABEL[n.state]}.`);

  const dialogs =
    asking?.what === "decommission" ? (
      <ConfirmDialog
        open
        danger
        title="Decommission this deployment?"
        confirmLabel={`Delete ${asking.d.remote_name} remotely`}
        busy={busy === asking.d.id}
        onClose={() => setAsking(null)}
        onConfirm={() =>
          void act(asking.d, () => api.decommissionDeployment(asking.d.id, `${asking.d.manager}:${asking.d.remote_name}`), (n) => `${n.remote_name}: ${STATE_LABEL[n.state]}.`)
        }
      >
        <p>
          Coffer deletes <strong className="mono">{asking.d.remote_name}</strong> from <strong>{asking.d.manager}</strong> (a soft
          delete where the service has one). Jobs and programs elsewhere that read it there stop finding it. The local secret{" "}
          <strong>{asking.d.secret}</strong> stays as it is.
        </p>
      </ConfirmDialog>
    ) : asking?.what === "adopt" ? (
      <ConfirmDialog
        open
        title="Adopt the remote secret?"
        confirmLabel={`Adopt and overwrite ${asking.d.remote_name}`}
        busy={busy === asking.d.id}
        onClose={() => setAsking(null)}
        onConfirm={() =>
          void act(asking.d, () => api.adoptDeployment(asking.d.id), (n) => `${n.remote_name} adopted: ${STATE_LABEL[n.state]}.`)
        }
      >
        <p>
          <strong className="mono">{asking.d.remote_name}</strong> in <strong>{asking.d.manager}</strong> exists and was not created by
          Coffer. Adopting it tags it as Coffer's and writes <strong>{asking.d.secret}</strong> as its new current version; its
          earlier versions stay in the key vault.
        </p>
      </ConfirmDialog>
    ) : null;

  return {
    busy,
    retry,
    adopt: (d: DeploymentView) => setAsking({ what: "adopt", d }),
    decommission: (d: DeploymentView) => setAsking({ what: "decommission", d }),
    dialogs,
  };
}
