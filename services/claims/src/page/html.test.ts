import { describe, expect, it } from "vitest";
import { html } from "./html.ts";

describe("html", () => {
  it("escapes interpolated text, attributes included, and keeps nested Html as is", () => {
    const name = `"><script>alert('x')</script>&`;
    const inner = html`<b>${name}</b>`;
    expect(html`<input value="${name}">${inner}`.text).toBe(
      '<input value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"><b>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</b>',
    );
  });

  it("joins lists and drops false, null and undefined", () => {
    expect(
      html`<ul>${["a", "<b>"].map((x) => html`<li>${x}</li>`)}${false}${null}${undefined}${0}</ul>`.text,
    ).toBe("<ul><li>a</li><li>&lt;b&gt;</li>0</ul>");
  });
});
