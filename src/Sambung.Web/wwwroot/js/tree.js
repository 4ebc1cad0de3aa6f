// The tree page's small enhancements (it works without them): Enter in the label field saves the label instead of
// pressing the form's first button, and the chosen node is scrolled into view when the page opens.
(function () {
  "use strict";
  var form = document.getElementById("tree-form");
  if (!form) return;
  var label = document.getElementById("tree-label");
  var save = form.querySelector("button[formaction$='handler=Label']");
  if (label && save) {
    label.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); save.click(); }
    });
  }
  var chosen = form.querySelector("input[name=node]:checked");
  if (chosen && !location.hash) chosen.scrollIntoView({ block: "center" });
})();
