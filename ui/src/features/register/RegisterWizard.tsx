import { useEffect, useRef, useState, type ComponentType } from "react";

import { ConfirmDialog } from "../../components/Dialog";
import { Icon } from "../../components/Icon";
import { WizardSteps } from "../../components/WizardSteps";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type RegisterResponse, type SecretType } from "../../ipc/client";
import { peekDroppedFiles, useDrops } from "../../lib/drops";
import { useInvalidateSecrets } from "../../lib/queries";
import { navigate } from "../../lib/router";
import { TYPE_INFO, TYPE_ORDER, typeLabel } from "../../lib/secretTypes";
import { CaBundleForm, CertificateForm } from "./CertificateForm";
import {
  ApiKeyForm,
  BasicAuthForm,
  BearerTokenForm,
  ClientCredentialsForm,
  type ValueFormProps,
} from "./CredentialForms";
import { DataForm } from "./DataForm";
import { DoneStep } from "./DoneStep";
import { buildRequest, problemOf, stepOfField, type FieldProblem, type MetaDraft, type ValueDraft } from "./draft";
import { KeyValueForm } from "./KeyValueForm";
import { MetadataStep } from "./MetadataStep";
import { ReviewStep } from "./ReviewStep";
import { SshForm } from "./SshForm";
import { TypeStep } from "./TypeStep";
import { planDrop, useDroppedFiles } from "./useDroppedFiles";
import "./register.css";

type Step = "type" | "value" | "meta" | "review" | "done";

const STEPS: { id: Step; label: string }[] = [
  { id: "type", label: "Type" },
  { id: "value", label: "Value" },
  { id: "meta", label: "Details" },
  { id: "review", label: "Review" },
  { id: "done", label: "Done" },
];

const FORMS: Record<SecretType, ComponentType<ValueFormProps>> = {
  basic_auth: BasicAuthForm,
  bearer_token: BearerTokenForm,
  api_key: ApiKeyForm,
  client_credentials: ClientCredentialsForm,
  certificate: CertificateForm,
  ca_bundle: CaBundleForm,
  ssh_key_pair: SshForm,
  key_value: KeyValueForm,
  data: DataForm,
};

/** Types whose form takes files dropped on the window. */
const TAKES_FILES = new Set<SecretType>(["certificate", "ca_bundle", "ssh_key_pair", "key_value", "data"]);

function isType(value: string | null): value is SecretType {
  return value !== null && (TYPE_ORDER as string[]).includes(value);
}

type State = {
  step: Step;
  type: SecretType | null;
  /** Bumped for a fresh form (another type, another secret). */
  run: number;
  value: ValueDraft | null;
  meta: MetaDraft | null;
  problem: FieldProblem | null;
  response: RegisterResponse | null;
  /** Why a type was chosen for the user (a dropped file). */
  notice: string | null;
};

function start(initialType: string | null, run = 0): State {
  const type = isType(initialType) ? initialType : null;
  return {
    step: type ? "value" : "type",
    type,
    run,
    value: null,
    meta: null,
    problem: null,
    response: null,
    notice: initialType !== null && !type ? `There is no secret type "${initialType}": choose one below.` : null,
  };
}

/** The registration wizard: type, value, details, review, done. */
export function RegisterWizard({ initialType }: { initialType: string | null }) {
  const [state, setState] = useState<State>(() => start(initialType));
  const [seenType, setSeenType] = useState(initialType);
  const [entered, setEntered] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const invalidate = useInvalidateSecrets();
  const toast = useToast();
  const drops = useDrops();

  // A link to #/register/<type> while the wizard is open starts that type afresh.
  if (initialType !== seenType) {
    setSeenType(initialType);
    if (isType(initialType) && initialType !== state.type) setState(start(initialType, state.run + 1));
  }

  const { step, type } = state;
  const go = (next: Step) => setState((s) => ({ ...s, step: next }));

  useEffect(() => {
    heading.current?.focus();
  }, [step]);

  // Files dropped before a type is chosen choose it by what they hold (read by the shell); its form
  // then takes them all. A key alone could be an SSH key or a certificate's: the wizard asks.
  const [reading, setReading] = useState(false);
  const [askKey, setAskKey] = useState<{ notice: string } | null>(null);
  const planning = useRef(false);
  const dropped = drops.pending > 0 && step === "type" && !askKey;
  useEffect(() => {
    if (!dropped || planning.current) return;
    planning.current = true;
    setReading(true);
    void planDrop([...peekDroppedFiles()]).then((plan) => {
      planning.current = false;
      setReading(false);
      setEntered(true);
      if ("ask" in plan) setAskKey({ notice: plan.notice });
      else setState((s) => ({ ...start(plan.type, s.run + 1), notice: plan.notice }));
    });
  }, [dropped]);
  const answerKey = (chosen: SecretType) => {
    setAskKey(null);
    setState((s) => ({ ...start(chosen, s.run + 1), notice: chosen === "certificate" ? "The key is in; add its certificate." : null }));
  };

  useDroppedFiles(step === "value" && type !== null && !TAKES_FILES.has(type), () => {
    toast.info(`${type ? typeLabel(type) : "This"} secrets take no files: drop certificates, keys, .env or data files on their forms.`);
  });

  const choose = (chosen: SecretType) => {
    setFailure(null);
    setAskKey(null);
    setState((s) =>
      s.type === chosen ? { ...s, step: "value", notice: null } : { ...start(chosen, s.run + 1), notice: null },
    );
  };

  const cancel = () => {
    if (entered && step !== "done") setConfirmCancel(true);
    else navigate({ view: "secrets" });
  };

  const register = async () => {
    if (!type || !state.value || !state.meta) return;
    setBusy(true);
    setFailure(null);
    try {
      const response = await api.registerSecret(buildRequest(type, state.value, state.meta));
      void invalidate();
      setState((s) => ({ ...s, step: "done", response, problem: null }));
      setEntered(false);
    } catch (error) {
      const problem = problemOf(error);
      if (problem) setState((s) => ({ ...s, step: stepOfField(problem.field), problem }));
      else setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const another = () => {
    setFailure(null);
    setEntered(false);
    setState((s) => start(null, s.run + 1));
  };

  const Form = type ? FORMS[type] : null;
  const problemFor = (which: "value" | "meta") =>
    state.problem && stepOfField(state.problem.field) === which ? state.problem : null;
  const title =
    step === "type"
      ? "Choose the type"
      : step === "value" && type
        ? `${typeLabel(type)}: the value`
        : step === "meta"
          ? "Name and details"
          : step === "review"
            ? "Review and register"
            : "Registered";
  const current = STEPS.findIndex((s) => s.id === step);
  const leafExpiry = type === "certificate" ? (state.value?.report?.certificates[0]?.not_after ?? null) : null;

  return (
    <div className="page reg-page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>Register a secret</h1>
          <p>{type ? TYPE_INFO[type].description : "Credentials, certificates, keys and data, encrypted in this vault."}</p>
        </div>
        <span className="spacer" />
        {step !== "done" ? (
          <button type="button" className="btn" onClick={cancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <WizardSteps label="Registration steps" steps={STEPS} current={current} />
      {/* Typing anywhere in the wizard counts as something entered (Cancel asks first). */}
      <section className="card reg-card" aria-labelledby="reg-step-title" onInputCapture={() => setEntered(true)}>
        <h2 id="reg-step-title" ref={heading} tabIndex={-1} className="reg-step-title">
          {title}
        </h2>
        {state.notice && (step === "type" || step === "value") ? (
          <div className="notice notice-info" role="status">
            <Icon name="file" />
            <p>{state.notice}</p>
          </div>
        ) : null}
        {step === "type" && reading ? (
          <p className="muted" role="status">
            Reading the dropped files…
          </p>
        ) : null}
        {step === "type" && askKey ? (
          <div className="notice notice-info reg-ask" role="group" aria-label="What is this key?">
            <Icon name="file" />
            <div className="stack" style={{ gap: 8 }}>
              <p>{askKey.notice} What is it?</p>
              <div className="row">
                <button type="button" className="btn" onClick={() => answerKey("ssh_key_pair")}>
                  An SSH key pair
                </button>
                <button type="button" className="btn" onClick={() => answerKey("certificate")}>
                  A certificate&apos;s private key
                </button>
              </div>
            </div>
          </div>
        ) : null}
        {step === "type" ? <TypeStep chosen={type} onChoose={choose} /> : null}
        {step === "type" ? (
          <div className="reg-actions">
            <button type="button" className="btn" onClick={cancel}>
              Back
            </button>
          </div>
        ) : null}
        {Form && step !== "done" ? (
          <div hidden={step !== "value"}>
            <Form
              key={`${type ?? ""}-${state.run}`}
              active={step === "value"}
              problem={problemFor("value")}
              onBack={() => go("type")}
              onNext={(value) => {
                setEntered(true);
                setState((s) => ({ ...s, value, step: "meta", problem: null }));
              }}
            />
          </div>
        ) : null}
        {type && state.value && step !== "done" ? (
          <div hidden={step !== "meta"}>
            <MetadataStep
              key={`${type}-${state.run}`}
              type={type}
              leafExpiry={leafExpiry}
              suggestedName={state.value.suggestedName}
              problem={problemFor("meta")}
              onBack={() => go("value")}
              onNext={(meta) => {
                setFailure(null);
                setState((s) => ({ ...s, meta, step: "review", problem: null }));
              }}
            />
          </div>
        ) : null}
        {step === "review" && type && state.value && state.meta ? (
          <ReviewStep
            type={type}
            value={state.value}
            meta={state.meta}
            busy={busy}
            failure={failure}
            onBack={() => go("meta")}
            onRegister={() => void register()}
          />
        ) : null}
        {step === "done" && state.response ? <DoneStep response={state.response} onAnother={another} /> : null}
      </section>
      <ConfirmDialog
        open={confirmCancel}
        title="Discard this secret?"
        confirmLabel="Discard"
        cancelLabel="Keep editing"
        danger
        onClose={() => setConfirmCancel(false)}
        onConfirm={() => {
          setConfirmCancel(false);
          navigate({ view: "secrets" });
        }}
      >
        <p>What you entered is not saved; nothing leaves this page until you register.</p>
      </ConfirmDialog>
    </div>
  );
}
