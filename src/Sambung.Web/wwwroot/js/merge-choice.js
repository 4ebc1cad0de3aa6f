// Merge forms (tree, compare): the summary field shows only while "Write a summary" is chosen. Without this script
// it is always shown, and ignored unless the summary is chosen.
(function () {
  "use strict";
  document.querySelectorAll("[data-merge-choice]").forEach(function (choice) {
    var field = choice.querySelector("[data-merge-summary]");
    var summary = choice.querySelector("input[name=strategy][value=Summary]");
    if (!field || !summary) return;
    function update() { field.hidden = !summary.checked; }
    choice.addEventListener("change", update);
    update();
  });
})();
