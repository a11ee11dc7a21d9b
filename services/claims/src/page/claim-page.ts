/**
 * The buyer's claim page, rendered on the server: complete without JavaScript (the page script only
 * adds as-you-type checks and live commune lists), readable from 360 px wide, Vietnamese by default.
 *
 * Accessibility: `lang` on the document (and on the other-language link), a label for every control,
 * hints and errors tied to their control with aria-describedby (an error only while it is shown),
 * aria-invalid on bad fields, an error summary with links to the fields, and DOM order = visual order =
 * focus order. Nothing about the buyer is shown on any state but the form they are filling in.
 */
import type { ClaimField, ClaimFormValues, FieldError } from "../core/claim-form.ts";
import type { Locale } from "../core/locale.ts";
import { FIELD_ERRORS, FIELD_LABELS, type TextKey, t } from "../core/messages.ts";
import type { AdministrativeUnitCatalog } from "../data/administrative-units.ts";
import { type Html, html } from "./html.ts";

/** The order facts every state of the page may show (never the buyer's data). */
export interface OrderSummary {
  merchantName: string | null;
  /** Epoch ms. */
  orderPaidAt: number;
  orderAmountVnd: bigint;
  claimDeadline: number;
}

export interface PageContext {
  locale: Locale;
  /** Where the page's CSS and script are served (content-hashed names). */
  assets: { css: string; js: string };
  /** URL template of a province's commune list, `{province}` replaced by its code. */
  communesUrl: string;
}

const ZONE = "Asia/Ho_Chi_Minh";
const INTL_LOCALE: Record<Locale, string> = { vi: "vi-VN", en: "en-GB" };

export function formatDateTime(epochMs: number, locale: Locale): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    timeZone: ZONE,
    dateStyle: "long",
    timeStyle: "short",
  }).format(epochMs);
}

export function formatDate(epochMs: number, locale: Locale): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { timeZone: ZONE, dateStyle: "long" }).format(epochMs);
}

export function formatVnd(amount: bigint, locale: Locale): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { style: "currency", currency: "VND" }).format(amount);
}

function layout(ctx: PageContext, title: string, body: Html): Html {
  const other: Locale = ctx.locale === "vi" ? "en" : "vi";
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="${ctx.assets.css}">
<script src="${ctx.assets.js}" defer></script>
</head>
<body>
<header class="top">
<span class="brand">${t("pageTitle", ctx.locale)}</span>
<a class="lang" href="?lang=${other}" hreflang="${other}" lang="${other}">${t("otherLanguage", ctx.locale)}</a>
</header>
<main id="main">
${body}
</main>
</body>
</html>
`;
}

function summary(order: OrderSummary, locale: Locale): Html {
  return html`<dl class="order">
<div><dt>${t("merchant", locale)}</dt><dd>${order.merchantName ?? "—"}</dd></div>
<div><dt>${t("orderDate", locale)}</dt><dd>${formatDate(order.orderPaidAt, locale)}</dd></div>
<div><dt>${t("amount", locale)}</dt><dd>${formatVnd(order.orderAmountVnd, locale)}</dd></div>
<div><dt>${t("deadline", locale)}</dt><dd>${formatDateTime(order.claimDeadline, locale)}</dd></div>
</dl>`;
}

export interface FormState {
  values: ClaimFormValues;
  errors: readonly FieldError[];
  units: AdministrativeUnitCatalog;
}

function errorOf(errors: readonly FieldError[], field: ClaimField) {
  return errors.find((error) => error.field === field);
}

/** Label, hint, error slot and control of one field; the error slot exists (hidden) for the script. */
function field(
  ctx: PageContext,
  state: FormState,
  name: ClaimField,
  control: (describedBy: string, invalid: boolean) => Html,
  hint?: string,
): Html {
  const error = errorOf(state.errors, name);
  const describedBy = [hint ? `${name}-hint` : "", error ? `${name}-error` : ""].filter(Boolean).join(" ");
  return html`<div class="field${error ? " has-error" : ""}" data-field="${name}">
<label for="${name}">${t(FIELD_LABELS[name], ctx.locale)}</label>
${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : ""}
<p class="error" id="${name}-error"${error ? "" : html` hidden`}>${error ? FIELD_ERRORS[error.code][ctx.locale] : ""}</p>
${control(describedBy, error !== undefined)}
</div>`;
}

function aria(describedBy: string, invalid: boolean): Html {
  return html`${describedBy ? html` aria-describedby="${describedBy}"` : ""}${invalid ? html` aria-invalid="true"` : ""}`;
}

function textInput(
  ctx: PageContext,
  state: FormState,
  name: ClaimField,
  attributes: Html,
  hint?: string,
): Html {
  return field(
    ctx,
    state,
    name,
    (describedBy, invalid) =>
      html`<input id="${name}" name="${name}" value="${state.values[name]}"${attributes}${aria(describedBy, invalid)}>`,
    hint,
  );
}

function errorSummary(ctx: PageContext, errors: readonly FieldError[]): Html {
  return html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1"${errors.length === 0 ? html` hidden` : ""}>
<h2>${t("errorSummary", ctx.locale)}</h2>
<ul>${errors.map(
    (error) =>
      html`<li><a href="#${error.field}">${t(FIELD_LABELS[error.field], ctx.locale)}: ${FIELD_ERRORS[error.code][ctx.locale]}</a></li>`,
  )}</ul>
</div>`;
}

function buyerTypeField(ctx: PageContext, state: FormState): Html {
  const error = errorOf(state.errors, "buyerType");
  const value = state.values.buyerType === "individual" ? "individual" : "company";
  const radio = (option: "company" | "individual") =>
    html`<label class="choice"><input type="radio" name="buyerType" value="${option}"${option === "company" ? html` id="buyerType"` : ""}${value === option ? html` checked` : ""}${error ? html` aria-describedby="buyerType-error"` : ""}> ${t(option, ctx.locale)}</label>`;
  return html`<fieldset class="field${error ? " has-error" : ""}" data-field="buyerType">
<legend>${t("buyerType", ctx.locale)}</legend>
<p class="error" id="buyerType-error"${error ? "" : html` hidden`}>${error ? FIELD_ERRORS[error.code][ctx.locale] : ""}</p>
${radio("company")}
${radio("individual")}
</fieldset>`;
}

function addressFields(ctx: PageContext, state: FormState): Html {
  const { units, values } = state;
  const province = units.province(values.provinceCode);
  const communes = province ? units.communesOf(province.code) : [];
  const option = (code: string, name: string, selected: string) =>
    html`<option value="${code}"${code === selected ? html` selected` : ""}>${name}</option>`;
  return html`${textInput(ctx, state, "street", html` autocomplete="street-address" maxlength="400"`, t("addressHint", ctx.locale))}
${field(
  ctx,
  state,
  "provinceCode",
  (describedBy, invalid) => html`<select id="provinceCode" name="provinceCode"${aria(describedBy, invalid)}>
<option value="">${t("choose", ctx.locale)}</option>
${units.provinces().map((p) => option(p.code, p.name, values.provinceCode))}
</select>
<button type="submit" name="intent" value="communes" id="refreshCommunes" class="secondary no-js" formnovalidate>${t("refreshCommunes", ctx.locale)}</button>`,
)}
${field(
  ctx,
  state,
  "communeCode",
  (describedBy, invalid) => html`<select id="communeCode" name="communeCode"${aria(describedBy, invalid)}>
<option value="">${province ? t("choose", ctx.locale) : t("chooseProvinceFirst", ctx.locale)}</option>
${communes.map((c) => option(c.code, c.name, values.communeCode))}
</select>`,
)}`;
}

/** The form, first shown or shown again with the buyer's values and their errors. */
export function renderClaimForm(ctx: PageContext, order: OrderSummary, state: FormState): Html {
  const { locale } = ctx;
  const individual = state.values.buyerType === "individual";
  return layout(
    ctx,
    `${t("pageTitle", locale)} – ${order.merchantName ?? ""}`,
    html`<h1>${t("pageTitle", locale)}</h1>
${summary(order, locale)}
<p class="intro">${t("intro", locale)}</p>
${errorSummary(ctx, state.errors)}
<form method="post" novalidate class="claim-form is-${individual ? "individual" : "company"}" data-communes-url="${ctx.communesUrl}">
<button type="submit" name="intent" value="submit" class="default-submit" tabindex="-1" aria-hidden="true">${t("submit", locale)}</button>
<input type="hidden" name="lang" value="${locale}">
${buyerTypeField(ctx, state)}
${textInput(ctx, state, "taxCode", html` inputmode="numeric" autocomplete="off" spellcheck="false" maxlength="32"`, t("taxCodeHint", locale))}
${textInput(ctx, state, "name", html` autocomplete="organization" maxlength="400"`, t("nameHint", locale))}
${addressFields(ctx, state)}
${textInput(ctx, state, "email", html` type="email" inputmode="email" autocomplete="email" spellcheck="false" maxlength="254"`)}
${textInput(ctx, state, "personalId", html` inputmode="numeric" autocomplete="off" maxlength="32"`, t("personalIdHint", locale))}
<button type="submit" name="intent" value="submit" id="send" class="primary">${t("submit", locale)}</button>
</form>`,
  );
}

export type MessageKind =
  | "submitted"
  | "issued"
  | "superseded"
  | "expired"
  | "closed"
  | "notFound"
  | "rateLimited"
  | "unavailable";

const MESSAGES: Record<MessageKind, [TextKey, TextKey]> = {
  submitted: ["submittedTitle", "submittedNext"],
  issued: ["issuedTitle", "issuedNext"],
  superseded: ["supersededTitle", "supersededNext"],
  expired: ["expiredTitle", "expiredNext"],
  closed: ["closedTitle", "closedNext"],
  notFound: ["notFoundTitle", "notFoundNext"],
  rateLimited: ["rateLimitedTitle", "rateLimitedNext"],
  unavailable: ["unavailableTitle", "unavailableNext"],
};

/** The heading of a message page (also a problem's `detail`). */
export function messageTitle(kind: MessageKind): TextKey {
  return MESSAGES[kind][0];
}

/** Every state but the form: what happened and what happens next, in plain words. */
export function renderMessage(
  ctx: PageContext,
  kind: MessageKind,
  order?: OrderSummary,
  values: Record<string, string> = {},
): Html {
  const [title, next] = MESSAGES[kind];
  const { locale } = ctx;
  const filled = { ...(order ? { deadline: formatDateTime(order.claimDeadline, locale) } : {}), ...values };
  return layout(
    ctx,
    t(title, locale),
    html`<h1>${t(title, locale)}</h1>
<p class="message message-${kind}">${t(next, locale, filled)}</p>
${order ? summary(order, locale) : ""}`,
  );
}
