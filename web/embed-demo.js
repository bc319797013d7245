// The embed demo's host side: list what the two embedded explorers report, as a course page would receive it.
// Only messages from one of this page's iframes, at that iframe's origin, are listed; text only, never HTML.

const MAX_ITEMS = 50;
const list = document.querySelector('[data-testid="embed-events"]');
const frames = Array.from(document.querySelectorAll('iframe[data-testid^="embed-"]'));

function describe(data) {
  const parts = [data.type];
  if (typeof data.step === "number") parts.push(`step ${data.step}`);
  if (typeof data.query === "number") parts.push(`query ${data.query}`);
  if (typeof data.token === "string") parts.push(`token "${data.token.slice(0, 40)}"`);
  return parts.join(", ");
}

window.addEventListener("message", (event) => {
  const frame = frames.find((f) => f.contentWindow === event.source);
  if (!frame || !list) return;
  if (event.origin !== new URL(frame.src, location.href).origin) return;
  const data = event.data;
  if (!data || typeof data !== "object" || typeof data.type !== "string") return;
  if (!data.type.startsWith("attention-explorer:")) return;
  const item = document.createElement("li");
  item.textContent = `${frame.dataset.testid.replace("embed-", "")}: ${describe(data)}`;
  list.append(item);
  while (list.children.length > MAX_ITEMS) list.firstElementChild.remove();
});
