// Small progressive enhancements over server-rendered pages; everything works without this file.
(() => {
  "use strict";

  // Enter sends, Shift+Enter (or an IME composition) adds a line.
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLTextAreaElement) || target.id !== "composer-text") return;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    if (target.value.trim() !== "") target.form?.requestSubmit();
  });

  // Keep the newest text in view while a reply streams, unless the reader scrolled up.
  const messages = () => document.getElementById("messages");
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
  document.addEventListener("htmx:afterSwap", () => { follow = true; scrollToEnd(); });
  document.addEventListener("DOMContentLoaded", scrollToEnd);

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
})();
