// The composer's slash menu: "/" at the start of the message lists the user's prompts and the built-ins, filtered
// as they type; arrows move, Enter (or a click) chooses, Esc closes. While the list is open the textarea is the
// combobox of the ARIA 1.2 pattern (aria-expanded, aria-controls, aria-activedescendant) and the list its listbox. A prompt with variables
// opens its form (the server's, with a live preview) in a dialog; "Use this prompt" puts the text in the
// composer, with the prompt's id and version in hidden fields so the reply records which template it came from.
(() => {
  "use strict";

  const list = () => document.getElementById("prompt-commands");
  const composer = () => document.getElementById("composer-text");
  let prompts = null;   // loaded once per page, on the first "/"
  let shown = [];
  let active = -1;

  const token = () => document.querySelector("#composer input[name='__RequestVerificationToken']")?.value ?? "";

  // While a slash command is being typed the composer is the combobox of the list; otherwise it stays a plain
  // text box (its role and name are what people and tests know it by).
  const comboboxAttributes = ["role", "aria-autocomplete", "aria-haspopup", "aria-controls", "aria-expanded", "aria-activedescendant"];
  const enhance = (textarea) => {
    textarea.setAttribute("role", "combobox");
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-haspopup", "listbox");
    textarea.setAttribute("aria-controls", "prompt-commands");
  };
  const plain = (textarea) => comboboxAttributes.forEach((name) => textarea.removeAttribute(name));

  const load = async () => {
    if (prompts) return prompts;
    const source = list()?.dataset.source;
    if (!source) return [];
    const response = await fetch(source, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    prompts = response.ok ? await response.json() : [];
    return prompts;
  };

  const close = () => {
    const box = list();
    const textarea = composer();
    if (box) {
      box.hidden = true;
      box.replaceChildren();
    }
    shown = [];
    active = -1;
    if (textarea) plain(textarea);
  };

  const highlight = (index) => {
    const box = list();
    const textarea = composer();
    if (!box || !textarea || shown.length === 0) return;
    active = (index + shown.length) % shown.length;
    box.querySelectorAll("[role=option]").forEach((option, i) => {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
      if (i === active) option.scrollIntoView({ block: "nearest" });
    });
    textarea.setAttribute("aria-activedescendant", `prompt-option-${active}`);
  };

  const open = async (query) => {
    const box = list();
    const textarea = composer();
    if (!box || !textarea) return;
    const all = await load();
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    shown = all.filter((p) => words.every((w) => `${p.name} ${p.description} ${p.category}`.toLowerCase().includes(w))).slice(0, 50);
    box.replaceChildren();
    if (shown.length === 0) {
      const empty = document.createElement("li");
      empty.className = "prompt-commands-empty";
      empty.setAttribute("role", "option");
      empty.setAttribute("aria-disabled", "true");
      empty.setAttribute("aria-selected", "false");
      empty.id = "prompt-option-none";
      empty.textContent = box.dataset.empty ?? "";
      box.append(empty);
    }
    shown.forEach((prompt, i) => {
      const option = document.createElement("li");
      option.id = `prompt-option-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.index = String(i);
      const name = document.createElement("span");
      name.className = "prompt-command-name";
      name.textContent = prompt.name;
      option.append(name);
      if (prompt.description) {
        const description = document.createElement("span");
        description.className = "prompt-command-description";
        description.textContent = prompt.description;
        option.append(" ", description);
      }
      box.append(option);
    });
    box.hidden = false;
    enhance(textarea);
    textarea.setAttribute("aria-expanded", "true");
    if (shown.length > 0) highlight(0);
    else textarea.removeAttribute("aria-activedescendant");
  };

  // Put a prompt's text in the composer and remember which template (and version) it is.
  const insert = (result) => {
    const textarea = composer();
    if (!textarea) return;
    textarea.value = result.text;
    const id = document.getElementById("composer-template-id");
    const version = document.getElementById("composer-template-version");
    if (id) id.value = result.templateId;
    if (version) version.value = String(result.templateVersion);
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  };

  const use = async (url, body) => {
    const response = await fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-Sambung-Insert": "1", Accept: "application/json" },
    });
    if (!response.ok) return;
    insert(await response.json());
  };

  const choose = async (prompt) => {
    close();
    if (!prompt.hasInputs) {
      const body = new FormData();
      body.append("__RequestVerificationToken", token());
      await use(`/prompts/${prompt.id}/use`, body);
      return;
    }
    const dialog = document.getElementById("prompt-dialog");
    const bodyHost = document.getElementById("prompt-dialog-body");
    const title = document.getElementById("prompt-dialog-title");
    if (!(dialog instanceof HTMLDialogElement) || !bodyHost || !title) return;
    const response = await fetch(`/prompts/${prompt.id}/use?handler=Form`, { credentials: "same-origin" });
    if (!response.ok) return;
    title.textContent = prompt.name;
    // The server's own form (every value encoded by Razor); htmx wires its live preview.
    bodyHost.innerHTML = await response.text();
    bodyHost.querySelectorAll("[data-close-dialog]").forEach((button) => { button.hidden = false; });
    bodyHost.querySelectorAll("[data-no-js-preview]").forEach((button) => { button.hidden = true; });
    window.htmx?.process(bodyHost);
    dialog.showModal();
    bodyHost.querySelector("select, textarea, input:not([type=hidden])")?.focus();
  };

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "prompt-use" || !form.closest("#prompt-dialog")) return;
    event.preventDefault();
    await use(form.action, new FormData(form));
    const dialog = document.getElementById("prompt-dialog");
    if (dialog instanceof HTMLDialogElement) dialog.close();
    composer()?.focus();
  });

  document.addEventListener("close", (event) => {
    if (event.target instanceof HTMLElement && event.target.id === "prompt-dialog") {
      document.getElementById("prompt-dialog-body")?.replaceChildren();
      composer()?.focus();
    }
  }, true);

  document.addEventListener("input", (event) => {
    const textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || textarea.id !== "composer-text") return;
    // A cleared composer no longer holds the prompt's text: forget which template it was.
    if (textarea.value.trim() === "") {
      const id = document.getElementById("composer-template-id");
      const version = document.getElementById("composer-template-version");
      if (id) id.value = "";
      if (version) version.value = "";
    }
    const match = /^\/([^\n]{0,60})$/.exec(textarea.value);
    if (match) open(match[1]);
    else close();
  });

  // Captured before app.js's Enter-sends handler: while the list is open, Enter chooses instead of sending.
  document.addEventListener("keydown", (event) => {
    const textarea = event.target;
    const box = list();
    if (!(textarea instanceof HTMLTextAreaElement) || textarea.id !== "composer-text" || !box || box.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (active >= 0 && shown[active]) choose(shown[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      close();
    }
  }, true);

  document.addEventListener("mousedown", (event) => {
    const option = event.target instanceof Element ? event.target.closest("#prompt-commands [role=option][data-index]") : null;
    if (!option) return;
    event.preventDefault(); // keep the focus in the composer
    const prompt = shown[Number(option.dataset.index)];
    if (prompt) choose(prompt);
  });

  document.addEventListener("focusout", (event) => {
    if (event.target instanceof HTMLTextAreaElement && event.target.id === "composer-text") setTimeout(close, 150);
  });
})();
