import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";

import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { PasswordInput } from "../../components/PasswordInput";
import type { FieldInput } from "../../ipc/client";
import { isShortValue, ShortValueWarning } from "../detail/ShortValueWarning";
import type { FieldProblem, ValueDraft } from "./draft";
import { RootError, StepActions, useProblem } from "./parts";
import { GeneratePasswordButton, GENERATED_HINT } from "./PasswordGenerator";
import { parseScopes } from "./rules";
import { apiKeySchema, basicAuthSchema, bearerTokenSchema, clientCredentialsSchema } from "./schemas";

export type ValueFormProps = {
  onBack: () => void;
  onNext: (draft: ValueDraft) => void;
  problem: FieldProblem | null;
  /** Whether this step is on screen (files dropped on the window come here then). */
  active: boolean;
};

const text = (name: string, value: string): FieldInput => ({ name, value: { kind: "text", text: value } });

function draft(fields: FieldInput[], review: ValueDraft["review"]): ValueDraft {
  return {
    fields,
    review,
    keyPassword: null,
    allowKeyMismatch: false,
    generateSsh: null,
    report: null,
    suggestedName: null,
  };
}

export function BasicAuthForm({ onBack, onNext, problem }: ValueFormProps) {
  const { register, handleSubmit, setValue, setError, control, formState } = useForm({
    resolver: zodResolver(basicAuthSchema),
    defaultValues: { username: "", password: "" },
  });
  const short = isShortValue(useWatch({ control, name: "password" }));
  const [generated, setGenerated] = useState(false);
  useProblem(problem, setError, (f) => (f === "username" || f === "password" ? f : null));
  const errors = formState.errors;
  const submit = handleSubmit((form) => {
    const username = form.username.trim();
    onNext(
      draft(
        [text("username", username), text("password", form.password)],
        [
          { label: "Username", value: username, mono: true },
          { label: "Password", value: "", secret: true },
        ],
      ),
    );
  });
  return (
    <form className="stack reg-form" noValidate onSubmit={(e) => void submit(e)}>
      <Field label="Username" error={errors.username?.message}>
        <input className="input mono" autoComplete="off" spellCheck={false} {...register("username")} />
      </Field>
      <Field
        label="Password"
        hint={generated ? GENERATED_HINT : undefined}
        error={errors.password?.message}
      >
        <PasswordInput what="password" {...register("password", { onChange: () => setGenerated(false) })} />
      </Field>
      <ShortValueWarning labels={short ? ["The password"] : []} />
      <div>
        <GeneratePasswordButton
          onGenerate={(password) => {
            setValue("password", password, { shouldDirty: true, shouldValidate: true });
            setGenerated(true);
          }}
        />
      </div>
      <RootError message={errors.root?.server?.message} />
      <StepActions onBack={onBack} />
    </form>
  );
}

export function BearerTokenForm({ onBack, onNext, problem }: ValueFormProps) {
  const { register, handleSubmit, setError, control, formState } = useForm({
    resolver: zodResolver(bearerTokenSchema),
    defaultValues: { header_name: "Authorization", token: "" },
  });
  useProblem(problem, setError, (f) => (f === "header_name" || f === "token" ? f : null));
  const header = useWatch({ control, name: "header_name" }).trim() || "Authorization";
  const short = isShortValue(useWatch({ control, name: "token" }));
  const standard = header.toLowerCase() === "authorization";
  const errors = formState.errors;
  const submit = handleSubmit((form) => {
    const name = form.header_name.trim() || "Authorization";
    onNext(
      draft(
        [text("header_name", name), text("token", form.token)],
        [
          { label: "Header name", value: name, mono: true },
          { label: "Token", value: "", secret: true },
        ],
      ),
    );
  });
  return (
    <form className="stack reg-form" noValidate onSubmit={(e) => void submit(e)}>
      <Field label="Token" error={errors.token?.message}>
        <PasswordInput what="token" className="input mono" {...register("token")} />
      </Field>
      <ShortValueWarning labels={short ? ["The token"] : []} />
      <Field label="Header name" error={errors.header_name?.message}>
        <input className="input mono" autoComplete="off" spellCheck={false} {...register("header_name")} />
      </Field>
      <div className="notice notice-info reg-explain">
        <Icon name="shield" />
        <p>
          {standard ? (
            <>
              Sent as <code>Authorization: Bearer &lt;token&gt;</code>, the OAuth 2.0 way. Type another header name (such
              as <code>X-Auth-Token</code>) to send the raw token in that header instead.
            </>
          ) : (
            <>
              The raw token is sent as <code>{header}: &lt;token&gt;</code>, without the <code>Bearer</code> prefix. Use{" "}
              <code>Authorization</code> for a standard bearer token.
            </>
          )}
        </p>
      </div>
      <RootError message={errors.root?.server?.message} />
      <StepActions onBack={onBack} />
    </form>
  );
}

export function ApiKeyForm({ onBack, onNext, problem }: ValueFormProps) {
  const { register, handleSubmit, setError, control, formState } = useForm({
    resolver: zodResolver(apiKeySchema),
    defaultValues: { header_name: "X-API-Key", value: "" },
  });
  const short = isShortValue(useWatch({ control, name: "value" }));
  useProblem(problem, setError, (f) => (f === "header_name" || f === "value" ? f : null));
  const errors = formState.errors;
  const submit = handleSubmit((form) => {
    const name = form.header_name.trim();
    onNext(
      draft(
        [text("header_name", name), text("value", form.value)],
        [
          { label: "Header name", value: name, mono: true },
          { label: "Value", value: "", secret: true },
        ],
      ),
    );
  });
  return (
    <form className="stack reg-form" noValidate onSubmit={(e) => void submit(e)}>
      <Field label="Header name" hint="The header that carries the key, e.g. X-API-Key or api-key." error={errors.header_name?.message}>
        <input className="input mono" autoComplete="off" spellCheck={false} {...register("header_name")} />
      </Field>
      <Field label="Key value" error={errors.value?.message}>
        <PasswordInput what="key value" className="input mono" {...register("value")} />
      </Field>
      <ShortValueWarning labels={short ? ["The key value"] : []} />
      <RootError message={errors.root?.server?.message} />
      <StepActions onBack={onBack} />
    </form>
  );
}

export function ClientCredentialsForm({ onBack, onNext, problem }: ValueFormProps) {
  const { register, handleSubmit, setError, control, formState } = useForm({
    resolver: zodResolver(clientCredentialsSchema),
    defaultValues: { client_id: "", client_secret: "", scopes: "", token_url: "", audience: "" },
  });
  const names = ["client_id", "client_secret", "scopes", "token_url", "audience"] as const;
  useProblem(problem, setError, (f) => names.find((n) => n === f) ?? null);
  const scopes = parseScopes(useWatch({ control, name: "scopes" })).scopes;
  const short = isShortValue(useWatch({ control, name: "client_secret" }));
  const errors = formState.errors;
  const submit = handleSubmit((form) => {
    const parsed = parseScopes(form.scopes).scopes;
    const fields = [text("client_id", form.client_id.trim()), text("client_secret", form.client_secret)];
    const review: ValueDraft["review"] = [
      { label: "Client ID", value: form.client_id.trim(), mono: true },
      { label: "Client secret", value: "", secret: true },
    ];
    if (parsed.length) {
      fields.push(text("scopes", parsed.join(" ")));
      review.push({ label: "Scopes", value: parsed.join(" "), mono: true });
    }
    for (const [name, label] of [
      ["token_url", "Token URL"],
      ["audience", "Audience"],
    ] as const) {
      const value = form[name].trim();
      if (value) {
        fields.push(text(name, value));
        review.push({ label, value, mono: true });
      }
    }
    onNext(draft(fields, review));
  });
  return (
    <form className="stack reg-form" noValidate onSubmit={(e) => void submit(e)}>
      <div className="grid-2">
        <Field label="Client ID" error={errors.client_id?.message}>
          <input className="input mono" autoComplete="off" spellCheck={false} {...register("client_id")} />
        </Field>
        <Field label="Client secret" error={errors.client_secret?.message}>
          <PasswordInput what="client secret" className="input mono" {...register("client_secret")} />
        </Field>
      </div>
      <ShortValueWarning labels={short ? ["The client secret"] : []} />
      <Field
        label="Scopes (optional)"
        hint="Separated by spaces, commas or new lines, e.g. profile email orders.read"
        error={errors.scopes?.message}
      >
        <textarea className="textarea reg-scopes" rows={2} spellCheck={false} {...register("scopes")} />
      </Field>
      {scopes.length ? (
        <ul className="chips reg-chip-list" aria-label="Scopes">
          {scopes.map((s) => (
            <li key={s} className="label-chip">
              {s}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="grid-2">
        <Field
          label="Token URL (optional)"
          hint="The token endpoint; https (http only for localhost)."
          error={errors.token_url?.message}
        >
          <input
            className="input mono"
            type="url"
            placeholder="https://idp.example.com/oauth/token"
            spellCheck={false}
            {...register("token_url")}
          />
        </Field>
        <Field label="Audience (optional)" hint="If the provider asks for one." error={errors.audience?.message}>
          <input className="input mono" spellCheck={false} {...register("audience")} />
        </Field>
      </div>
      <RootError message={errors.root?.server?.message} />
      <StepActions onBack={onBack} />
    </form>
  );
}
