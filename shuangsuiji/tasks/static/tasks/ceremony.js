/* Counts the public entropy as it is typed (the same rule as shuangsuiji/tasks/entropy.py;
   the server checks again on 抽取). */
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=ceremony-form]");
  if (!form) { return; }
  var minimum = parseInt(form.getAttribute("data-minimum"), 10);
  var DICE = Math.log2(6), NUMBER = Math.log2(10), CAP = 24;
  function tokens(kind, value) {
    var text = value.normalize("NFKC").replace(/[\s,，、;；\/|]+/g, " ").trim();
    if (!text) { return []; }
    if (kind === "dice" && /^[0-9 ]+$/.test(text)) { return text.replace(/ /g, "").split(""); }
    return text.split(" ");
  }
  function bits(kind, value) {
    var t = tokens(kind, value);
    if (kind === "dice") {
      return t.every(function (d) { return /^[1-6]$/.test(d); }) ? t.length * DICE : 0;
    }
    if (kind === "lottery") {
      return Math.min(t.filter(function (d) { return /^[0-9]+$/.test(d); }).length * NUMBER, CAP);
    }
    return 0;
  }
  function update() {
    var total = 0;
    form.querySelectorAll(".entropy-row").forEach(function (row) {
      var kind = row.querySelector("select").value;
      total += bits(kind, row.querySelector("input[name^=value_]").value);
    });
    var p = form.querySelector("[data-testid=entropy-tally]");
    var enough = total >= minimum;
    p.classList.toggle("text-success", enough);
    p.classList.toggle("text-danger", !enough);
    form.querySelector("[data-testid=entropy-bits]").textContent = String(Math.floor(total * 10) / 10);
    form.querySelector("[data-testid=entropy-missing]").textContent = enough
      ? "，已达到"
      : "，还差约 " + Math.max(0, Math.ceil((minimum - total) / DICE - 1e-9)) + " 个骰子点数";
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
