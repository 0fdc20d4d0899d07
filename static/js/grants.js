// Grant plan form, progressive enhancement only (the form works the same without JavaScript):
// a tranche's date box shows only when the tranche is paid "on a date", and the tranches' sum is
// shown next to the total as it is typed.
(function () {
  var form = document.querySelector("[data-grant-plan]");
  if (!form) { return; }
  form.querySelectorAll("[data-date-for]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-date-for"));
    if (!select) { return; }
    var sync = function () { box.classList.toggle("d-none", select.value !== "date"); };
    select.addEventListener("change", sync);
    sync();
  });
  var sumNote = form.querySelector("[data-plan-sum]");
  var total = form.querySelector("#total");
  var amounts = form.querySelectorAll("input[id^='tranches-'][id$='-amount']");
  var number = function (text) {
    var value = parseFloat(String(text || "").replace(/[,\s\u00a0]/g, ""));
    return isNaN(value) ? 0 : value;
  };
  var showSum = function () {
    var sum = 0;
    amounts.forEach(function (input) { sum += number(input.value); });
    var goal = number(total && total.value);
    sumNote.textContent = "Σ " + sum.toLocaleString() + " / " + goal.toLocaleString();
    sumNote.classList.toggle("text-danger", Math.abs(sum - goal) > 0.001);
    sumNote.classList.toggle("text-success", Math.abs(sum - goal) <= 0.001 && goal > 0);
  };
  if (sumNote && total) {
    amounts.forEach(function (input) { input.addEventListener("input", showSum); });
    total.addEventListener("input", showSum);
    showSum();
  }
})();
