/**
 * The claim page's script (bundled with esbuild at start-up, see page-assets.ts). Progressive
 * enhancement only: the page works the same without it. It adds
 * - as-you-type checks of the tax code, e-mail and personal ID with the server's own rules
 *   (@invoice/domain through claim-form.ts), shown in the field's error slot and tied to it;
 * - the whole-form check before sending, with the error summary focused;
 * - the commune list of the chosen province, fetched live;
 * - the personal ID field only for individual buyers.
 * The server checks everything again: nothing here is trusted.
 */
import {
  type AdministrativeUnits,
  CLAIM_FIELDS,
  type ClaimField,
  type ClaimFormValues,
  checkEmail,
  checkPersonalId,
  checkTaxCode,
  type FieldError,
  validateClaimForm,
} from "../core/claim-form.ts";
import { isLocale, type Locale } from "../core/locale.ts";
import { FIELD_ERRORS, FIELD_LABELS, type FieldErrorCode, t } from "../core/messages.ts";

const LIVE_CHECKS: Partial<Record<ClaimField, (value: string) => FieldErrorCode | undefined>> = {
  taxCode: checkTaxCode,
  email: checkEmail,
  personalId: checkPersonalId,
};

function start(): void {
  const form = document.querySelector<HTMLFormElement>("form.claim-form");
  if (!form) return;
  document.documentElement.classList.add("js");
  const lang = document.documentElement.lang;
  const locale: Locale = isLocale(lang) ? lang : "vi";
  const control = (name: ClaimField) =>
    form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
  const province = control("provinceCode") as HTMLSelectElement;
  const commune = control("communeCode") as HTMLSelectElement;

  function showError(name: ClaimField, code: FieldErrorCode | undefined): void {
    const slot = document.getElementById(`${name}-error`);
    const wrapper = form?.querySelector<HTMLElement>(`[data-field="${name}"]`);
    if (!slot || !wrapper) return;
    slot.textContent = code ? FIELD_ERRORS[code][locale] : "";
    slot.hidden = code === undefined;
    wrapper.classList.toggle("has-error", code !== undefined);
    const inputs =
      name === "buyerType" ? form?.querySelectorAll<HTMLElement>('input[name="buyerType"]') : [control(name)];
    for (const input of inputs ?? []) {
      if (!input) continue;
      const ids = (input.getAttribute("aria-describedby") ?? "")
        .split(" ")
        .filter((id) => id && id !== slot.id);
      if (code) ids.push(slot.id);
      if (ids.length > 0) input.setAttribute("aria-describedby", ids.join(" "));
      else input.removeAttribute("aria-describedby");
      if (code) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }

  function showSummary(errors: readonly FieldError[]): void {
    const box = document.getElementById("error-summary");
    const list = box?.querySelector("ul");
    if (!box || !list) return;
    list.replaceChildren(
      ...errors.map((error) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = `#${error.field}`;
        link.textContent = `${t(FIELD_LABELS[error.field], locale)}: ${FIELD_ERRORS[error.code][locale]}`;
        item.append(link);
        return item;
      }),
    );
    box.hidden = errors.length === 0;
    if (errors.length > 0) box.focus();
  }

  const values = (): ClaimFormValues => {
    const data = new FormData(form);
    const out = {} as ClaimFormValues;
    for (const name of CLAIM_FIELDS) {
      const value = data.get(name);
      out[name] = typeof value === "string" ? value : "";
    }
    return out;
  };

  // The units the selects offer are the ones the server sent (all provinces, the chosen one's communes).
  const units: AdministrativeUnits = {
    province: (code) => {
      const option = [...province.options].find((o) => o.value === code && code !== "");
      return option ? { code, name: option.text } : undefined;
    },
    commune: (code) => {
      const option = [...commune.options].find((o) => o.value === code && code !== "");
      return option ? { code, name: option.text, provinceCode: province.value } : undefined;
    },
  };

  for (const [name, check] of Object.entries(LIVE_CHECKS) as Array<
    [ClaimField, (v: string) => FieldErrorCode | undefined]
  >) {
    const input = control(name);
    if (!input) continue;
    input.addEventListener("blur", () => showError(name, check(input.value)));
    input.addEventListener("input", () => {
      const digits = input.value.replace(/\D/g, "").length;
      // Once shown, an error follows every keystroke; a new one waits for a complete-looking value or blur.
      if (input.getAttribute("aria-invalid") === "true" || (name !== "email" && digits >= 10)) {
        showError(name, check(input.value));
      }
    });
  }

  const syncBuyerType = () => {
    const individual = values().buyerType === "individual";
    form.classList.toggle("is-individual", individual);
    form.classList.toggle("is-company", !individual);
  };
  for (const radio of form.querySelectorAll('input[name="buyerType"]'))
    radio.addEventListener("change", syncBuyerType);
  syncBuyerType();

  let communeRequest: AbortController | undefined;
  province.addEventListener("change", async () => {
    communeRequest?.abort();
    const placeholder = commune.options[0];
    commune.replaceChildren(...(placeholder ? [placeholder] : []));
    if (placeholder) placeholder.text = t(province.value ? "choose" : "chooseProvinceFirst", locale);
    if (!province.value) return;
    communeRequest = new AbortController();
    const url = (form.dataset.communesUrl ?? "").replace("{province}", encodeURIComponent(province.value));
    try {
      const response = await fetch(url, {
        signal: communeRequest.signal,
        headers: { accept: "application/json" },
      });
      if (!response.ok) return;
      const body = (await response.json()) as { communes: Array<{ code: string; name: string }> };
      commune.append(...body.communes.map((c) => new Option(c.name, c.code)));
    } catch {
      // Offline or aborted: the form still works, the server lists the communes after a submit.
    }
  });

  form.addEventListener("submit", (event) => {
    const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
    if (submitter?.value === "communes") return;
    const result = validateClaimForm(values(), units);
    for (const name of CLAIM_FIELDS)
      showError(name, result.ok ? undefined : result.errors.find((e) => e.field === name)?.code);
    if (!result.ok) {
      event.preventDefault();
      showSummary(result.errors);
    }
  });

  const summary = document.getElementById("error-summary");
  if (summary && !summary.hidden) summary.focus();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
