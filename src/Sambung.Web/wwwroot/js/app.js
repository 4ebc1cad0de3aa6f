// Small progressive enhancements over server-rendered pages; everything works without this file.
(() => {
  "use strict";

  // The sidebar groups chats by day ("Today", "Yesterday") in the reader's time zone: tell the server which it is.
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && !document.cookie.split("; ").includes(`tz=${encodeURIComponent(zone)}`)) {
      document.cookie = `tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
    }
  } catch { /* no Intl: UTC it is */ }

  // Enter sends, Shift+Enter (or an IME composition) adds a line.
  // Esc stops the reply being written (the last Stop button on the page), wherever the focus is.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    const stops = document.querySelectorAll(".message-actions form[id^='stop-'] button");
    if (stops.length === 0) return;
    event.preventDefault();
    stops[stops.length - 1].click();
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLTextAreaElement) || target.id !== "composer-text") return;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    if (target.value.trim() !== "") target.form?.requestSubmit();
  });

  // Keep the newest text in view while a reply streams, unless the reader scrolled up.
  const messages = () => document.getElementById("conversation");
  let follow = true;
  document.addEventListener("scroll", (event) => {
    const list = messages();
    if (event.target === list) follow = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }, true);
  const scrollToEnd = () => {
    const list = messages();
    if (list && follow) list.scrollTop = list.scrollHeight;
  };
  document.addEventListener("htmx:sseMessage", scrollToEnd);
  document.addEventListener("htmx:afterSwap", (event) => {
    // Earlier messages arrive above what the reader is looking at: stay there.
    if (event.detail?.pathInfo?.requestPath?.includes("handler=Earlier")) return;
    follow = true;
    scrollToEnd();
  });
  // A link to one message (a search result) shows that message; otherwise the newest.
  document.addEventListener("DOMContentLoaded", () => {
    const target = location.hash.startsWith("#m-") ? document.getElementById(location.hash.slice(1)) : null;
    if (target) {
      follow = false;
      target.scrollIntoView({ block: "center" });
    } else scrollToEnd();
  });

  // Settings: the look shows at once (the form saves it in the background); the sidebar follows its slider.
  const showSetting = (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.closest(".settings-form")) return;
    const root = document.documentElement.dataset;
    if (input.name === "Theme") root.theme = input.value;
    if (input.name === "TextSize") root.text = input.value;
    if (input.name === "MessageDensity") root.density = input.value;
    if (input.name === "PrivacyMode") root.privacy = input.checked ? "on" : "off";
    if (input.name === "SidebarWidth") {
      root.sidebar = input.value;
      const output = document.getElementById("sidebar-width-value");
      if (output) output.textContent = output.textContent.replace(/\d+/, input.value);
    }
  };
  document.addEventListener("change", showSetting);
  document.addEventListener("input", showSetting);

  // Usage: choosing a date makes the period a custom one (without this, the period's list says to pick "Custom").
  document.addEventListener("change", (event) => {
    if (!(event.target instanceof HTMLInputElement) || !event.target.matches("#usage-from, #usage-to")) return;
    const range = document.getElementById("usage-range");
    if (range) range.value = "custom";
  });

  // Ctrl/Cmd+Shift+O: a new chat. Ctrl/Cmd+B: hide or show the sidebar. "?" (outside a text field): the list of
  // shortcuts.
  const typing = (element) => element instanceof HTMLElement && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  document.addEventListener("keydown", (event) => {
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.shiftKey && event.key.toLowerCase() === "o") {
      event.preventDefault();
      location.assign("/");
    } else if (mod && !event.shiftKey && !event.altKey && event.key.toLowerCase() === "b") {
      event.preventDefault();
      const collapsed = document.documentElement.classList.toggle("sidebar-collapsed");
      try { localStorage.setItem("sidebar-collapsed", collapsed ? "1" : ""); } catch { /* private mode */ }
    } else if (event.key === "?" && !mod && !typing(event.target)) {
      const dialog = document.getElementById("shortcuts");
      if (dialog instanceof HTMLDialogElement && !dialog.open) {
        event.preventDefault();
        dialog.showModal();
      }
    }
  });
  try { if (localStorage.getItem("sidebar-collapsed")) document.documentElement.classList.add("sidebar-collapsed"); } catch { /* private mode */ }
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("[data-close-dialog]")) event.target.closest("dialog")?.close();
  });

  // Ctrl/Cmd+K: to the search box.
  document.addEventListener("keydown", (event) => {
    if (event.key.toLowerCase() !== "k" || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    const search = document.getElementById("chat-search");
    if (!search) return;
    event.preventDefault();
    search.focus();
    search.select();
  });

  // A rough password strength meter next to the hint (the server only requires 8 characters).
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "password" || input.autocomplete !== "new-password") return;
    const meter = document.getElementById("password-strength");
    if (!meter) return;
    const value = input.value;
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
    meter.value = (value.length >= 8) + (value.length >= 12) + (value.length >= 16) + (classes >= 3 && value.length >= 8);
    meter.hidden = value.length === 0;
  });

  // ---- Rich message bodies -------------------------------------------------------------------------------------
  // The server sends sanitised HTML that reads well as it is. Here code blocks get highlighting and a Copy button,
  // and math and diagrams get drawn. Each library is self-hosted under /lib and fetched the first time a message
  // needs it, never with the page.
  const libraries = new URL("../lib/", document.currentScript?.src ?? location.href);
  const loading = new Map();
  const load = (file, start) => {
    if (!loading.has(file)) {
      const promise = start(new URL(file, libraries).href);
      loading.set(file, promise);
      promise.catch(() => loading.delete(file)); // a later message may try again
    }
    return loading.get(file);
  };
  const script = (file) => load(file, (url) => new Promise((resolve, reject) => {
    const element = Object.assign(document.createElement("script"), { src: url, async: true });
    element.onload = () => resolve();
    element.onerror = () => { element.remove(); reject(new Error(`${file} did not load`)); };
    document.head.append(element);
  }));
  // KaTeX's stylesheet points at fonts/…, but the build copies the fonts flat into /lib: fix the addresses and adopt
  // the sheet through the CSSOM (allowed by the CSP, unlike a <style> element).
  const katexStyle = () => load("katex.min.css", async (url) => {
    const css = await (await fetch(url)).text();
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css.replaceAll("url(fonts/", `url(${libraries.href}`));
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  });

  const announce = (message) => {
    const status = document.getElementById("chat-status");
    if (!status) return;
    status.textContent = "";
    setTimeout(() => { status.textContent = message; }, 50); // a change, so it is read even when repeated
  };

  const copyText = async (text, button) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Plain HTTP on a LAN address has no Clipboard API: copy a selection instead.
      const area = Object.assign(document.createElement("textarea"), { value: text, readOnly: true, className: "visually-hidden" });
      document.body.append(area);
      area.focus();
      area.select();
      const copied = document.execCommand("copy");
      area.remove();
      button.focus();
      return copied;
    }
  };
  const copyTimers = new WeakMap();
  // A message's Copy button: the text as shown.
  const showCopyButtons = (root) => root.querySelectorAll?.(".copy-message[hidden]").forEach((b) => { b.hidden = false; });
  document.addEventListener("DOMContentLoaded", () => showCopyButtons(document));
  document.addEventListener("htmx:load", (event) => showCopyButtons(event.detail.elt));
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest(".copy-message") : null;
    const body = button?.closest(".message")?.querySelector(".message-body");
    if (!body) return;
    if (!(await copyText(body.innerText.trim(), button))) return;
    const label = button.textContent;
    button.textContent = button.dataset.copied;
    announce(button.dataset.copied);
    clearTimeout(copyTimers.get(button));
    copyTimers.set(button, setTimeout(() => { button.textContent = label; }, 2000));
  });
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest(".copy-code") : null;
    const block = button?.closest(".code-block");
    if (!block) return;
    if (!(await copyText(block.querySelector("code")?.textContent ?? "", button))) return;
    button.textContent = block.dataset.copied;
    announce(block.dataset.copied);
    clearTimeout(copyTimers.get(button));
    copyTimers.set(button, setTimeout(() => { button.textContent = block.dataset.copy; }, 2000));
  });

  const languageOf = (code) => /(?:^|\s)language-([\w+#.-]+)/.exec(code.className)?.[1]?.toLowerCase();

  const highlight = async (codes) => {
    await script("highlight.min.js");
    const hljs = window.hljs;
    for (const code of codes)
      if (code.isConnected && !code.dataset.highlighted && hljs.getLanguage(languageOf(code))) hljs.highlightElement(code);
  };

  const renderMath = async (nodes) => {
    await Promise.all([script("katex.min.js"), katexStyle()]);
    for (const node of nodes) {
      // Markdig writes \(…\) inline and \[…\] for a block; KaTeX wants the bare TeX.
      const tex = node.textContent.trim().replace(/^\\[([]/, "").replace(/\\[)\]]$/, "");
      try {
        // trust: false keeps \href, \url and \html… inert; the limits stop runaway macros.
        window.katex.render(tex, node, { displayMode: node.tagName === "DIV", throwOnError: false, trust: false, strict: "ignore", maxExpand: 500, maxSize: 20 });
      } catch {
        // left as the TeX source
      }
    }
  };

  // Mermaid draws an SVG whose look comes from a <style> element and style attributes, both refused by the CSP when
  // written as markup; through the CSSOM they are allowed, so that is how they are applied. While drawing, Mermaid
  // still writes such styles into its scratch copy (the browser logs each refusal); its labels are SVG text because
  // HTML labels would be measured without them and come out the wrong size. A drawing is kept by its source, so
  // the final render does not flash back to code.
  const diagrams = new Map();
  let diagramCount = 0;
  const drawDiagram = async (source) => {
    const mermaid = window.mermaid;
    const { svg } = await mermaid.render(`mermaid-${++diagramCount}`, source);
    const parsed = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
    if (parsed.localName !== "svg") throw new Error("mermaid did not return an SVG");
    const sheet = new CSSStyleSheet();
    for (const style of parsed.querySelectorAll("style")) {
      sheet.replaceSync(style.textContent);
      style.remove();
    }
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    for (const element of [parsed, ...parsed.querySelectorAll("[style]")]) {
      element.setAttribute("data-style", element.getAttribute("style") ?? "");
      element.removeAttribute("style");
    }
    return parsed;
  };
  let mermaidReady = false;
  const renderDiagrams = async (codes) => {
    await script("mermaid.min.js");
    if (!mermaidReady) {
      window.mermaid.initialize({
        startOnLoad: false, securityLevel: "strict", suppressErrorRendering: true, htmlLabels: false,
        theme: matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "default",
        fontFamily: getComputedStyle(document.body).fontFamily,
      });
      mermaidReady = true;
    }
    for (const code of codes) {
      const source = code.textContent;
      if (!diagrams.has(source)) diagrams.set(source, drawDiagram(source));
      let drawing;
      try {
        drawing = await diagrams.get(source);
      } catch {
        diagrams.delete(source);
        continue; // not a valid diagram (yet): the source stays readable as code
      }
      const block = code.closest(".code-block");
      if (!block?.isConnected || block.querySelector(".diagram")) continue;
      const svg = document.importNode(drawing, true);
      for (const element of [svg, ...svg.querySelectorAll("[data-style]")]) {
        element.style.cssText = element.getAttribute("data-style");
        element.removeAttribute("data-style");
      }
      const figure = Object.assign(document.createElement("div"), { className: "diagram" });
      figure.append(svg);
      block.querySelector("pre").hidden = true;
      block.append(figure);
    }
  };

  // htmx:load and DOMContentLoaded can both see an element: each is taken once.
  // Drag a chat from the list onto a folder under "Folders and tags" (or onto "All chats" for no folder): the same
  // move as the chat page's "Folder" select, which stays the way without a mouse. The sidebar refreshes itself
  // when the move is recorded (the server's chat-list signal).
  const chatType = "application/x-sambung-chat";
  const dropTarget = (event) => event.target instanceof Element ? event.target.closest("a[data-folder]") : null;
  document.addEventListener("dragstart", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-chat]") : null;
    if (!link || !event.dataTransfer) return;
    event.dataTransfer.setData(chatType, link.dataset.chat);
    event.dataTransfer.setData("text/uri-list", link.href);
    event.dataTransfer.effectAllowed = "copyMove";
    document.querySelector(".sidebar-library:not([open])")?.setAttribute("open", ""); // the folders, to drop on
  });
  document.addEventListener("dragover", (event) => {
    const target = dropTarget(event);
    if (!target || !event.dataTransfer?.types.includes(chatType)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    target.classList.add("drop-target");
  });
  document.addEventListener("dragleave", (event) => dropTarget(event)?.classList.remove("drop-target"));
  document.addEventListener("drop", async (event) => {
    const target = dropTarget(event);
    const chat = event.dataTransfer?.getData(chatType);
    if (!target || !chat) return;
    event.preventDefault();
    target.classList.remove("drop-target");
    const list = target.closest("[data-moved]");
    const token = document.querySelector("input[name=__RequestVerificationToken]")?.value ?? "";
    try {
      const response = await fetch(`/c/${encodeURIComponent(chat)}?handler=Move`, {
        method: "POST",
        headers: { "HX-Request": "true" },
        body: new URLSearchParams({ folder: target.dataset.folder, __RequestVerificationToken: token }),
      });
      if (!response.ok) throw new Error(String(response.status));
      announce((list?.dataset.moved ?? "").replace("{0}", target.textContent.trim()));
    } catch {
      announce(list?.dataset.moveFailed ?? "");
    }
  });

  const seen = new WeakSet();
  const fresh = (element) => !seen.has(element) && Boolean(seen.add(element));
  const enhance = (root) => {
    if (!(root instanceof Element || root instanceof Document)) return;
    const all = (selector) => [...(root instanceof Element && root.matches(selector) ? [root] : []), ...root.querySelectorAll(selector)].filter(fresh);
    for (const block of all(".message-body .code-block")) {
      const button = Object.assign(document.createElement("button"), { type: "button", className: "copy-code", textContent: block.dataset.copy });
      block.prepend(button);
    }
    const codes = all(".message-body .code-block code");
    const mermaid = codes.filter((code) => languageOf(code) === "mermaid");
    const highlighted = codes.filter((code) => ![undefined, "mermaid"].includes(languageOf(code))); // named languages only
    const math = all(".message-body .math");
    if (highlighted.length) highlight(highlighted).catch(() => {});
    if (math.length) renderMath(math).catch(() => {});
    if (mermaid.length) renderDiagrams(mermaid).catch(() => {});
  };
  document.addEventListener("DOMContentLoaded", () => enhance(document));
  document.addEventListener("htmx:load", (event) => enhance(event.target));
})();

// History: moving the step slider shows that step (the form's button does the same without JavaScript);
// "What the model saw": Close empties the panel's slot and gives the focus back to the button that opened it.
(() => {
  document.addEventListener("change", (event) => {
    const slider = event.target.closest?.(".history-slider input[type=range]");
    if (slider) slider.form.requestSubmit();
  });
  document.addEventListener("click", (event) => {
    const close = event.target.closest?.("button.model-saw-close");
    if (!close) return;
    const slot = document.querySelector(close.dataset.close);
    const opener = slot?.previousElementSibling?.querySelector("button");
    if (slot) slot.replaceChildren();
    opener?.focus();
  });
})();
