import { useQuery } from "@tanstack/react-query";

import { Icon } from "../../components/Icon";
import { api, errorMessage } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { JobWizard } from "./JobWizard";

/** The job wizard over an existing job. */
export function JobEdit({ id }: { id: string }) {
  const job = useQuery({ queryKey: keys.job(id), queryFn: () => api.getJob(id) });
  if (job.isPending) return <div className="page" aria-busy="true" />;
  if (job.isError)
    return (
      <div className="page">
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{errorMessage(job.error)}</p>
        </div>
      </div>
    );
  return <JobWizard editing={job.data} />;
}
